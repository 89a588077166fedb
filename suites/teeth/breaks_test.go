package teeth

// breaks names, per emulator mutant, the behaviours it violates: a run
// against the mutant passes the teeth test only when a spec labelled with at
// least one of them fails. A mutant missing here fails the test, so new
// mutants get a mapping.
var breaks = map[string][]string{
	"reboot-any-status":        {"RI-STATE-005", "RI-STATE-006", "RI-STATE-007", "RI-STATE-008", "RI-FORCE-005", "RI-DRYRUN-004", "RI-ERR-002", "RI-ERR-007"},
	"never-leaves-running":     {"RI-STATE-002"},
	"stuck-starting":           {"RI-STATE-004"},
	"reboot-ends-stopped":      {"RI-STATE-003"},
	"dryrun-side-effect":       {"RI-DRYRUN-002", "RI-DRYRUN-012"},
	"dryrun-returns-200":       {"RI-DRYRUN-001"},
	"notfound-wrong-status":    {"RI-ERR-001", "RI-DRYRUN-003"},
	"xml-success-root":         {"RI-PROTO-002"},
	"ignore-security-lock":     {"RI-ERR-003", "RI-DRYRUN-005"},
	"ignore-financial-lock":    {"RI-ERR-006", "RI-DRYRUN-006"},
	"ignore-disk-error":        {"RI-ERR-004", "RI-DRYRUN-007"},
	"ignore-kms":               {"RI-ERR-008", "RI-DRYRUN-008"},
	"false-is-malformed":       {"RI-FORCE-002", "RI-DRYRUN-010"},
	"lenient-bool":             {"RI-FORCE-004", "RI-DRYRUN-011"},
	"missing-instanceid-500":   {"RI-ERR-010", "RI-DRYRUN-009"},
	"constant-requestid":       {"RI-PROTO-006"},
	"skip-signature-check":     {"RI-PROTO-008", "RI-PROTO-009"},
	"prefix-id-match":          {"RI-ERR-001", "RI-DRYRUN-003"},
	"non-atomic-reboot":        {"RI-STATE-010"},
	"reboot-wrong-instance":    {"RI-STATE-009"},
	"describe-status-disagree": {"RI-STATE-003", "RI-STATE-004"},
	// Gateway rules and a deleted instance (docs/behaviours-audit.md).
	"nonce-not-checked":          {"RI-PROTO-016"},
	"timestamp-not-expired":      {"RI-PROTO-017"},
	"timestamp-format-unchecked": {"RI-PROTO-018"},
	"version-ignored":            {"RI-PROTO-019"},
	"action-case-insensitive":    {"RI-PROTO-020"},
	"any-signature-method":       {"RI-PROTO-021"},
	"format-unchecked":           {"RI-PROTO-022"},
	"nonce-optional":             {"RI-PROTO-023"},
	"deleted-lingers":            {"RI-STATE-011"},
	"any-http-method":            {"RI-PROTO-024"},
}
