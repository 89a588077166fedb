package rig

import "github.com/rebootconf/rebootconf/reports"

// DeviationInstant is the deviation a target declares when its transitions are instant: an
// accepted reboot is never seen in Starting (docs/deviations.md).
const DeviationInstant = reports.DeviationInstantTransitions

// Declared reports whether the target's deviations file ($REBOOTCONF_DEVIATIONS, run
// --deviations) declares kind for behaviour: besides the control API's history, the only
// way to excuse an unseen Starting.
func (rg *Rig) Declared(behaviour, kind string) bool { return reports.Declared(behaviour, kind) }
