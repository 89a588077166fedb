package reports

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
)

// Deviation kinds a target profile may declare: ways a target differs that the document
// leaves open (docs/deviations.md). Each names what the harness then accepts for that
// behaviour instead of failing it.
const (
	// DeviationInstantTransitions: an accepted call completes its transition before the
	// answer, so no transient status (Starting, Stopping) is ever observable.
	DeviationInstantTransitions = "instant-transitions"
	// DeviationMessageText: the target's Message differs from the documented text under a
	// row whose message is a %s template or fixed text; Code and HTTP status still must match.
	DeviationMessageText = "message-text"
)

// DeviationKinds is every kind a deviations file may hold.
var DeviationKinds = []string{DeviationInstantTransitions, DeviationMessageText}

// EnvDeviations hands the --deviations file's path to suite processes.
const EnvDeviations = "REBOOTCONF_DEVIATIONS"

// Deviations is a target profile: the deviations a target author declares, per behaviour.
type Deviations struct{ Entries []Entry }

// ReadDeviations reads a deviations file: "RI-STATE-002: instant-transitions reason [link]".
// The kind is required; a client selector is not allowed (a deviation is the target's).
func ReadDeviations(path string) (Deviations, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Deviations{}, err
	}
	es, err := ParseEntries(data, path, "", DeviationKinds...)
	if err != nil {
		return Deviations{}, err
	}
	for _, e := range es {
		if e.Client != "" {
			return Deviations{}, fmt.Errorf("%s: a deviation belongs to the target, not to a client: drop @%s", e.Pos, e.Client)
		}
		if !strings.HasPrefix(e.ID, "RI-") {
			return Deviations{}, fmt.Errorf("%s: a deviation names a contract behaviour (RI-*), not %s", e.Pos, e.ID)
		}
	}
	return Deviations{Entries: es}, nil
}

// Declared reports whether d declares kind for the behaviour.
func (d Deviations) Declared(behaviourID, kind string) bool {
	return slices.ContainsFunc(d.Entries, func(e Entry) bool { return e.ID == behaviourID && e.Kind == kind })
}

// Strings lists the declarations as "ID: kind", for plans and report properties.
func (d Deviations) Strings() []string {
	out := make([]string, len(d.Entries))
	for i, e := range d.Entries {
		out[i] = e.ID + ": " + e.Kind
	}
	return out
}

var envDeviations struct {
	once sync.Once
	d    Deviations
	err  error
}

// DeviationsFromEnv reads the file $REBOOTCONF_DEVIATIONS names (none when unset), once per
// process. Suites call it where they open the target, so a bad file fails loudly there.
func DeviationsFromEnv() (Deviations, error) {
	envDeviations.once.Do(func() {
		if p := os.Getenv(EnvDeviations); p != "" {
			envDeviations.d, envDeviations.err = ReadDeviations(p)
		}
	})
	return envDeviations.d, envDeviations.err
}

// Declared reports whether this process's target profile ($REBOOTCONF_DEVIATIONS) declares
// kind for the behaviour. An unreadable file declares nothing (DeviationsFromEnv says why).
func Declared(behaviourID, kind string) bool {
	d, err := DeviationsFromEnv()
	return err == nil && d.Declared(behaviourID, kind)
}
