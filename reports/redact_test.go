package reports

import (
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestRedactSecrets(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"query", "Signature=abc%2B&AccessKeySecret=s3cr3t&SecurityToken=tok",
			"Signature=REDACTED&AccessKeySecret=REDACTED&SecurityToken=REDACTED"},
		{"query keeps neighbours", "SignatureMethod=HMAC-SHA1&SignatureNonce=n1&Signature=xyz%3D&SignatureVersion=1.0&SignatureType=",
			"SignatureMethod=HMAC-SHA1&SignatureNonce=n1&Signature=REDACTED&SignatureVersion=1.0&SignatureType="},
		{"empty value stays visible", "Signature=&Action=RebootInstance", "Signature=&Action=RebootInstance"},
		{"acs3 header", "Authorization: ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host;x-acs-date,Signature=0a1b2c",
			"Authorization: ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host;x-acs-date,Signature=REDACTED"},
		{"json", `{"AccessKeyId":"testid","AccessKeySecret":"s\"3","SecurityToken" : "tok","Signature":"sig"}`,
			`{"AccessKeyId":"testid","AccessKeySecret":"REDACTED","SecurityToken" : "REDACTED","Signature":"REDACTED"}`},
		{"json snake and camel", `{"access_key_secret":"a","accessKeySecret":"b","security_token":"c"}`,
			`{"access_key_secret":"REDACTED","accessKeySecret":"REDACTED","security_token":"REDACTED"}`},
		{"header line", "x-acs-security-token: tok\nX-Acs-Bearer-Token:bear\nx-acs-date: 2026",
			"x-acs-security-token: REDACTED\nX-Acs-Bearer-Token:REDACTED\nx-acs-date: 2026"},
		{"go dumps", "map[X-Acs-Security-Token:[tok]] {AccessKeyID:id AccessKeySecret:sec Signature:sig}",
			"map[X-Acs-Security-Token:[REDACTED]] {AccessKeyID:id AccessKeySecret:REDACTED Signature:REDACTED}"},
		{"xml", "<SecurityToken>tok</SecurityToken><RequestId>r</RequestId>",
			"<SecurityToken>REDACTED</SecurityToken><RequestId>r</RequestId>"},
		{"string to sign", "POST&%2F&AccessKeyId%3Did%26SecurityToken%3Dt%252Bk%26Signature%3Dzz%26Timestamp%3D1",
			"POST&%2F&AccessKeyId%3Did%26SecurityToken%3DREDACTED%26Signature%3DREDACTED%26Timestamp%3D1"},
		{"json-escaped transcript", `"POST /\nx-acs-security-token: tok\n\nSecurityToken=tok\u0026Signature=sig\n"`,
			`"POST /\nx-acs-security-token: REDACTED\n\nSecurityToken=REDACTED\u0026Signature=REDACTED\n"`},
		{"roa", "Authorization: acs testid:c2lnbmF0dXJl", "Authorization: acs testid:REDACTED"},
		{"url password", `endpoint http://alice:pw@127.0.0.1:8080/ and "https://a@b:p@ss@h?x"`,
			`endpoint http://alice:REDACTED@127.0.0.1:8080/ and "https://a@b:REDACTED@h?x"`},
		{"url user and ports untouched", "http://alice@host/ http://host:8080/a@b", "http://alice@host/ http://host:8080/a@b"},
		{"error codes untouched", "SignatureDoesNotMatch: IncompleteSignature, InvalidSecurityToken.Expired",
			"SignatureDoesNotMatch: IncompleteSignature, InvalidSecurityToken.Expired"},
	}
	for _, c := range cases {
		if got := RedactSecrets(c.in); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
		if got := RedactSecrets(c.want); got != c.want {
			t.Errorf("%s: not idempotent: %s", c.name, got)
		}
	}
}

func TestXMLSafe(t *testing.T) {
	cases := map[string]string{
		"plain":          "plain",
		"tab\tnl\n":      "tab\tnl\n",
		"nul\x00bell\a":  `nul\x00bell\x07`,
		"crlf\r\nlone\r": "crlf\nlone\\r",
		"bad\xff\xfe":    `bad\xFF\xFE`,
		"nonchar\uFFFE":  `nonchar\uFFFE`,
		"real \uFFFD ok": "real \uFFFD ok",
		"emoji 😀":        "emoji 😀",
	}
	for in, want := range cases {
		if got := xmlSafe(in); got != want {
			t.Errorf("xmlSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTruncate(t *testing.T) {
	s := strings.Repeat("é", 100) + "TAIL" // 204 bytes
	got := truncate(s, 50)
	if !utf8.ValidString(got) || !strings.HasSuffix(got, "TAIL") || !strings.Contains(got, "bytes truncated") {
		t.Errorf("truncate: %q", got)
	}
	if truncate("short", 50) != "short" || truncate(s, -1) != s {
		t.Error("truncate must leave short input and negative limits alone")
	}
	// Redaction happens before the cut, so a cut cannot orphan a secret.
	c := cleaner{}
	long := strings.Repeat("x", 100) + "&Signature=SECRETSECRET" + strings.Repeat("y", 10)
	for max := 1; max < len(long); max++ {
		if strings.Contains(c.long(long, max), "SECRET") {
			t.Fatalf("max=%d leaks a fragment: %q", max, c.long(long, max))
		}
	}
}

// FuzzRedactPlanted plants a token-like secret in each wire form inside
// arbitrary text: it must never survive, and redaction must be idempotent.
func FuzzRedactPlanted(f *testing.F) {
	f.Add("POST /?Action=RebootInstance", "&Timestamp=2026", "c2VjcmV0U2lnbmF0dXJl")
	f.Add(`{"a":1,`, `}`, "STS.NUx1AbCd")
	f.Fuzz(func(t *testing.T, pre, post, secret string) {
		secret = strings.Map(func(r rune) rune {
			if r < 128 && (r == '+' || r == '/' || r == '.' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
				return r
			}
			return -1
		}, secret)
		if len(secret) < 8 {
			return
		}
		forms := []string{"&Signature=%s", "?SecurityToken=%s&", `"AccessKeySecret":"%s"`, "\nx-acs-security-token: %s\n",
			",Signature=%s", "%%26SecurityToken%%3D%s%%26", " Signature:%s ", `\nSecurityToken=%s\u0026`}
		for _, form := range forms {
			in := pre + fmt.Sprintf(form, secret) + post
			out := RedactSecrets(in)
			if strings.Count(out, secret) > strings.Count(pre, secret)+strings.Count(post, secret) {
				t.Fatalf("form %q leaks %q:\n in %q\nout %q", form, secret, in, out)
			}
			if again := RedactSecrets(out); again != out {
				t.Fatalf("not idempotent:\n%q\n%q", out, again)
			}
		}
		// A URL password: '/' would end the authority, so it is never part of one.
		if pw := strings.ReplaceAll(secret, "/", ""); len(pw) >= 8 {
			in := pre + "http://alice:" + pw + "@127.0.0.1:8080/" + post
			out := RedactSecrets(in)
			if strings.Count(out, pw) > strings.Count(pre, pw)+strings.Count(post, pw) {
				t.Fatalf("URL password %q leaks:\n in %q\nout %q", pw, in, out)
			}
			if again := RedactSecrets(out); again != out {
				t.Fatalf("not idempotent:\n%q\n%q", out, again)
			}
		}
	})
}
