// Package generators holds the rapid generators for RebootInstance fuzzing (worlds,
// instance IDs of every shape, parameter spellings, whole requests), the stateful
// machine, and the property bodies the Ginkgo suites run.
//
// Every draw is labelled with the wire name it feeds, so a shrunk failure reads as
// the request that was sent. Generators list their "normal" choice first: rapid
// shrinks towards the first element, so a minimal case keeps only the odd parts the
// failure needs.
//
// This package imports rapid and fixtures/*, never Ginkgo; fixtures/replay runs the
// steps, so every failing case can be written out and replayed without rapid.
package generators
