//go:build !linux

package bench

// cpuMeter measures nothing outside Linux: the table shows dashes.
type cpuMeter struct{}

func newCPUMeter() *cpuMeter { return &cpuMeter{} }

func (m *cpuMeter) sample() cpuSample { return cpuSample{} }
