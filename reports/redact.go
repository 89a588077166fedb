package reports

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Redacted replaces every secret value the built-in redactor finds.
const Redacted = "REDACTED"

// secretKeys are the names whose values must never reach a report. A key must
// not follow a letter (so IncompleteSignature: and InvalidSecurityToken: stay
// readable) but may follow a digit (%26Signature%3D) or a JSON escape (\n).
// The "=", "%3D" or ":" required after it keeps SignatureMethod,
// SignatureNonce ... intact. Values end at a separator or a backslash.
const secretKeys = `Signature|AccessKeySecret|access_?key_?secret|SecurityToken|security_?token|` +
	`x-acs-security-token|x-acs-bearer-token|BearerToken|bearer_?token`

var redactRules = []struct {
	re   *regexp.Regexp
	repl string
}{
	// JSON fields: "AccessKeySecret": "..." (escaped quotes included).
	{regexp.MustCompile(`(?i)("(?:` + secretKeys + `)"\s*:\s*")(?:[^"\\]|\\.)*"`), `${1}` + Redacted + `"`},
	// XML elements: <SecurityToken>...</SecurityToken>.
	{regexp.MustCompile(`(?i)(<(?:` + secretKeys + `)>)[^<]*`), `${1}` + Redacted},
	// Percent-encoded pairs inside a StringToSign: SecurityToken%3D...%26 (stop at %26).
	{regexp.MustCompile(`(?i)(^|[^a-z]|\\[nrt])((?:` + secretKeys + `)%3D)(?:[^%&\s"'<>\\]|%[013-9A-F][0-9A-F]|%2[0-57-9A-F])+`), `${1}${2}` + Redacted},
	// Query/form params and the ACS3 Authorization header: Signature=..., up to a separator.
	{regexp.MustCompile(`(?i)(^|[^a-z]|\\[nrt])((?:` + secretKeys + `)=)[^&\s"'<>,;\\]+`), `${1}${2}` + Redacted},
	// Header lines, Go struct and map dumps: x-acs-security-token: v, Signature:v, Key:[v].
	{regexp.MustCompile(`(?i)(^|[^a-z]|\\[nrt])((?:` + secretKeys + `)\s*:\s*\[?)[^\s"'<>,;&\]\}\\]+`), `${1}${2}` + Redacted},
	// Legacy ROA style "Authorization: acs AKID:signature".
	{regexp.MustCompile(`(?i)\b(Authorization\s*:\s*acs\s+[^:\s]+:)\S+`), `${1}` + Redacted},
	// The password of URL userinfo (http://alice:pw@host), to the last "@" before the path,
	// as url.Parse splits it; the same rule as protocol.Redact's. A user name alone is kept.
	{regexp.MustCompile(`(://[^\s/?#:]*:)[^\s/?#]+@`), `${1}` + Redacted + `@`},
}

// RedactSecrets blanks the values of Signature, AccessKeySecret and SecurityToken
// (and bearer tokens) in query strings, StringToSigns, JSON, XML, header lines,
// Authorization headers and Go value dumps, and URL passwords (http://user:pw@host). It is the default redactor and always
// runs, after Options.Redact.
func RedactSecrets(s string) string {
	for _, r := range redactRules {
		s = r.re.ReplaceAllString(s, r.repl)
	}
	return s
}

// xmlSafe makes s representable in XML 1.0: characters outside the XML Char
// production (control characters, U+FFFE, U+FFFF) and invalid UTF-8 bytes are
// replaced by a visible escape such as \x00, so fuzz input stays debuggable.
// CRLF becomes LF and a lone CR becomes \r, because parsers normalise line
// ends inside CDATA and the text must survive a write/read round trip.
func xmlSafe(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if xmlClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\r':
			b.WriteString(`\r`)
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02X`, s[i])
		case !isXMLChar(r) && r < 0x100:
			fmt.Fprintf(&b, `\x%02X`, r)
		case !isXMLChar(r):
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func xmlClean(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r == '\r' || !isXMLChar(r) {
			return false
		}
	}
	return true
}

func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		(r >= 0x20 && r <= 0xD7FF) ||
		(r >= 0xE000 && r <= 0xFFFD) ||
		(r >= 0x10000 && r <= 0x10FFFF)
}

// truncate keeps the head and (mostly) the tail of s within max bytes, cutting on
// rune boundaries; the tail usually holds the failing exchange.
func truncate(s string, max int) string {
	if max <= 0 || len(s) <= max {
		return s
	}
	head := max / 4
	tail := max - head
	for head > 0 && !utf8.RuneStart(s[head]) {
		head--
	}
	start := len(s) - tail
	for start < len(s) && !utf8.RuneStart(s[start]) {
		start++
	}
	return fmt.Sprintf("%s\n[... %d bytes truncated ...]\n%s", s[:head], start-head, s[start:])
}

// cleaner is the single gate every string passes on its way into XML.
type cleaner struct {
	redact func(string) string
}

func (c cleaner) text(s string) string {
	if c.redact != nil {
		s = c.redact(s)
	}
	return xmlSafe(RedactSecrets(s))
}

// long is text for a limited field: redacted before truncation so a cut cannot
// split a secret out of its key.
func (c cleaner) long(s string, max int) string {
	if c.redact != nil {
		s = c.redact(s)
	}
	return xmlSafe(truncate(RedactSecrets(s), max))
}
