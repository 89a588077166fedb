package generators

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"pgregory.net/rapid"

	"github.com/rebootconf/rebootconf/fixtures/model"
	"github.com/rebootconf/rebootconf/fixtures/replay"
)

// ID shapes, normal first (rapid shrinks towards it).
const (
	ShapeExisting   = "existing"
	ShapeAbsent     = "absent"     // real-looking, not in the world
	ShapePrefix     = "prefix"     // a proper prefix of an existing ID
	ShapeExtension  = "extension"  // an existing ID with characters appended
	ShapeCase       = "case"       // an existing ID with its case changed
	ShapeWhitespace = "whitespace" // an existing ID with surrounding whitespace
	ShapeUnicode    = "unicode"    // an existing ID with a look-alike or non-ASCII rune
	ShapeEmpty      = "empty"
	ShapeLong       = "long"
)

// IDShapes lists every shape; the ones derived from an existing ID need one.
var IDShapes = []string{ShapeExisting, ShapeAbsent, ShapePrefix, ShapeExtension, ShapeCase,
	ShapeWhitespace, ShapeUnicode, ShapeEmpty, ShapeLong}

// InstanceIDOf draws an InstanceId value of some shape relative to the existing IDs:
// mostly an existing one, otherwise an odd shape (OddInstanceID).
func InstanceIDOf(existing []string) *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string {
		if len(existing) > 0 && rapid.IntRange(0, 3).Draw(t, "odd InstanceId") < 3 {
			return rapid.SampledFrom(existing).Draw(t, "InstanceId base")
		}
		return OddInstanceID(existing).Draw(t, "odd InstanceId")
	})
}

// OddInstanceID draws an InstanceId that names no instance: absent but real-looking,
// or a near miss of an existing ID (near misses weigh double: lookup bugs hide there).
func OddInstanceID(existing []string) *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string {
		shapes := []string{ShapeAbsent, ShapeEmpty, ShapeLong}
		if len(existing) > 0 {
			shapes = []string{ShapePrefix, ShapeExtension, ShapeCase, ShapePrefix, ShapeExtension, ShapeCase,
				ShapeWhitespace, ShapeUnicode, ShapeAbsent, ShapeEmpty, ShapeLong}
		}
		shape := rapid.SampledFrom(shapes).Draw(t, "InstanceId shape")
		var base string
		if len(existing) > 0 {
			base = rapid.SampledFrom(existing).Draw(t, "InstanceId base")
		}
		return IDOfShape(t, shape, base)
	})
}

// IDOfShape renders one shape from base (an existing ID; unused by absent/empty/long).
func IDOfShape(t *rapid.T, shape, base string) string {
	switch shape {
	case ShapeExisting:
		return base
	case ShapePrefix:
		if len(base) < 2 {
			return ""
		}
		// Count what is cut off, so most prefixes are long (and name one instance
		// uniquely, as a truncated ID would) and shrinking cuts one character.
		return base[:len(base)-rapid.IntRange(1, len(base)-1).Draw(t, "characters cut")]
	case ShapeExtension:
		return base + rapid.StringMatching(`[a-z0-9]{1,4}`).Draw(t, "extension")
	case ShapeCase:
		return changeCase(t, base)
	case ShapeWhitespace:
		ws := rapid.SampledFrom([]string{" ", "\t", "\n", "\u00a0", "  "}).Draw(t, "whitespace")
		switch rapid.SampledFrom([]string{"both", "leading", "trailing"}).Draw(t, "whitespace side") {
		case "leading":
			return ws + base
		case "trailing":
			return base + ws
		}
		return ws + base + ws
	case ShapeUnicode:
		switch rapid.SampledFrom([]string{"cyrillic-i", "fullwidth-hyphen", "append-cjk", "zero-width"}).Draw(t, "unicode kind") {
		case "cyrillic-i":
			return "і" + strings.TrimPrefix(base, "i") // U+0456 looks like "i"
		case "fullwidth-hyphen":
			return strings.Replace(base, "-", "－", 1)
		case "zero-width":
			return base + "\u200b"
		}
		return base + "中"
	case ShapeEmpty:
		return ""
	case ShapeLong:
		return "i-" + strings.Repeat("a", rapid.IntRange(64, 4096).Draw(t, "long length"))
	}
	return "i-" + rapid.StringMatching(`[a-z0-9]{20}`).Draw(t, "absent id")
}

// changeCase upper-cases the whole ID or one letter of it; the result always differs.
func changeCase(t *rapid.T, base string) string {
	if rapid.Bool().Draw(t, "upper-case all") || !strings.ContainsFunc(base, unicode.IsLower) {
		up := strings.ToUpper(base)
		if up == base {
			return base + "A"
		}
		return up
	}
	var letters []int
	for i, r := range base {
		if unicode.IsLower(r) {
			letters = append(letters, i)
		}
	}
	i := rapid.SampledFrom(letters).Draw(t, "upper-case position")
	r, n := utf8.DecodeRuneInString(base[i:])
	return base[:i] + string(unicode.ToUpper(r)) + base[i+n:]
}

// Spelling is a parameter as sent: absent, or present with a raw value.
type Spelling struct {
	Present bool
	Value   string
}

// BoolSpelling draws a spelling of a Boolean parameter: absent and the documented
// "true"/"false" first, then what some SDK or person sends (features BD-004, BD-005,
// BD-006).
func BoolSpelling(name string) *rapid.Generator[Spelling] {
	vals := []Spelling{{}, {true, "false"}, {true, "true"}, {true, "True"}, {true, "FALSE"}, {true, "1"},
		{true, "0"}, {true, "yes"}, {true, ""}, {true, "undefined"}, {true, "null"}, {true, " true"}}
	return rapid.Custom(func(t *rapid.T) Spelling { return rapid.SampledFrom(vals).Draw(t, name) })
}

// FormatSpelling draws the Format parameter: JSON (the raw client's default) first.
func FormatSpelling() *rapid.Generator[Spelling] {
	vals := []Spelling{{true, "JSON"}, {}, {true, "XML"}, {true, "json"}, {true, "xml"}, {true, "Xml"},
		{true, "yaml"}, {true, ""}}
	return rapid.Custom(func(t *rapid.T) Spelling { return rapid.SampledFrom(vals).Draw(t, "Format") })
}

// Extras that a request may carry besides its documented parameters. Most go beyond
// the document and the SDKs: the answers a faithful server may give them are the
// model's features table (model.Features, the BD-* ID in each comment), never a
// special case here or in a check.
const (
	ExtraNone        = "none"
	ExtraRegionID    = "RegionId"             // BD-009: sent by the legacy Go SDK; must be accepted
	ExtraUnknown     = "unknown parameter"    // BD-003: a parameter RebootInstance does not have
	ExtraLowerKey    = "lower-case key"       // BD-002: instanceId instead of InstanceId (pop-core formats keys)
	ExtraRepeatedID  = "repeated InstanceId"  // BD-001: InstanceId twice
	ExtraMissingID   = "missing InstanceId"   // documented: InstanceId is required
	ExtraDupDryRun   = "duplicated DryRun"    // BD-001
	ExtraDupForce    = "duplicated ForceStop" // BD-001
	ExtraOwnerParams = "OwnerId"              // in every SDK model (notes §1.1): ignored
)

// RequestOptions restrict what RebootRequest draws.
type RequestOptions struct {
	// SafeOnly keeps every request from changing an instance as far as a faithful
	// server goes: DryRun=true exactly, or an ID that names no instance. Live targets
	// use it unless reboots are allowed.
	SafeOnly bool
}

// Dimensions of a request that RebootRequest may make odd.
const (
	OddID        = "InstanceId"
	OddForceStop = "ForceStop"
	OddDryRun    = "DryRun"
	OddFormat    = "Format"
	OddExtra     = "extra"
)

var normalBools = []Spelling{{}, {true, "false"}, {true, "true"}}

// RebootRequest draws a RebootInstance request against the world's IDs. It first
// draws which dimensions are odd (none, one or two: an input with many odd parts
// is mostly rejected by the first check, which hides the others), then a normal
// value for every other dimension. Shrinking removes oddities the failure does not
// need.
func RebootRequest(ids []string, opts RequestOptions) *rapid.Generator[model.Request] {
	dims := []string{OddID, OddID, OddForceStop, OddDryRun, OddFormat, OddExtra}
	return rapid.Custom(func(t *rapid.T) model.Request {
		odd := map[string]bool{}
		for _, d := range rapid.SliceOfN(rapid.SampledFrom(dims), 0, 2).Draw(t, "odd parts") {
			odd[d] = true
		}
		p := url.Values{}
		id := ""
		switch {
		case odd[OddID] || len(ids) == 0:
			id = OddInstanceID(ids).Draw(t, "InstanceId")
		default:
			id = rapid.SampledFrom(ids).Draw(t, "InstanceId")
		}
		extra := ExtraNone
		if odd[OddExtra] {
			extra = rapid.SampledFrom([]string{ExtraRegionID, ExtraUnknown, ExtraLowerKey, ExtraRepeatedID, ExtraMissingID,
				ExtraDupDryRun, ExtraDupForce, ExtraOwnerParams}).Draw(t, "extra")
		}
		switch extra {
		case ExtraMissingID:
		case ExtraLowerKey:
			p.Set("instanceId", id)
		case ExtraRepeatedID:
			p["InstanceId"] = []string{id, InstanceIDOf(ids).Draw(t, "InstanceId (second)")}
		default:
			p.Set("InstanceId", id)
		}
		for _, name := range []string{OddForceStop, OddDryRun} {
			s := rapid.SampledFrom(normalBools).Draw(t, name)
			if odd[name] {
				s = BoolSpelling(name).Draw(t, name+" (odd)")
			}
			if s.Present {
				p.Set(name, s.Value)
			}
		}
		switch extra {
		case ExtraRegionID:
			p.Set("RegionId", rapid.SampledFrom([]string{"cn-hangzhou", "", "no-such-region"}).Draw(t, "RegionId"))
		case ExtraUnknown:
			p.Set(rapid.SampledFrom([]string{"Bogus", "Force", "ClientToken", "InstanceIds"}).Draw(t, "unknown name"), "1")
		case ExtraDupDryRun:
			p.Add("DryRun", rapid.SampledFrom([]string{"true", "false"}).Draw(t, "DryRun (second)"))
		case ExtraDupForce:
			p.Add("ForceStop", rapid.SampledFrom([]string{"true", "false"}).Draw(t, "ForceStop (second)"))
		case ExtraOwnerParams:
			p.Set("OwnerId", "1234567890")
		}
		if opts.SafeOnly {
			p["DryRun"] = []string{"true"}
		}
		f := Spelling{true, "JSON"}
		if odd[OddFormat] {
			f = FormatSpelling().Draw(t, "Format")
		}
		if f.Present {
			p.Set("Format", f.Value)
		}
		return model.Request{Action: model.ActionReboot, Params: p}
	})
}

// Transport variations of how a call reaches the server; the contract must not care.
const (
	TransportQuery   = "POST query (v1)"
	TransportGET     = "GET query (v1)"
	TransportBody    = "POST form body (v1)"
	TransportACS3    = "POST ACS3"
	TransportACS3GET = "GET ACS3"
)

// CallFor draws how req travels (method, signature style, query or body).
func CallFor(req model.Request) *rapid.Generator[replay.Call] {
	return rapid.Custom(func(t *rapid.T) replay.Call {
		c := replay.FromModel(req)
		switch rapid.SampledFrom([]string{TransportQuery, TransportGET, TransportBody, TransportACS3, TransportACS3GET}).Draw(t, "transport") {
		case TransportGET:
			c.Method = "GET"
		case TransportBody:
			c.InBody = true
		case TransportACS3:
			c.Signing = "acs3"
		case TransportACS3GET:
			c.Signing, c.Method = "acs3", "GET"
		}
		return c
	})
}
