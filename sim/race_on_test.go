//go:build race

package sim

// raceOn: the race detector slows a run about eightfold, so the test
// budget is smaller under it (see the README's Simulator section).
const raceOn = true
