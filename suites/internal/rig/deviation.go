package rig

// DeviationInstant is the deviation a target declares when its transitions
// are instant: an accepted reboot is never seen in Starting.
const DeviationInstant = "instant-transitions"

var bLeft = bStarting

// declared answers whether the target's deviations file declares kind for
// behaviour; wired to the deviations file when the run names one.
var declared = func(behaviour, kind string) bool { return false }

// Declared reports whether the target's author declared deviation kind for
// behaviour (the only way besides the control API to excuse an unseen
// Starting).
func (rg *Rig) Declared(behaviour, kind string) bool { return declared(behaviour, kind) }
