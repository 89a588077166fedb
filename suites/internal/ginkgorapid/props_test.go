package ginkgorapid_test

import "pgregory.net/rapid"

// ginkgorapidCheck runs a property that fails from n = 500 up.
func ginkgorapidCheck(tb rapid.TB) {
	rapid.Check(tb, func(t *rapid.T) {
		if n := rapid.IntRange(0, 1000).Draw(t, "n"); n >= 500 {
			t.Fatalf("n = %d is too big", n)
		}
	})
}

func ginkgorapidPass(tb rapid.TB) {
	rapid.Check(tb, func(t *rapid.T) { _ = rapid.Int().Draw(t, "n") })
}
