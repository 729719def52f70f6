//go:build linux

package bench

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTick is USER_HZ, the unit of /proc times; 100 on every Linux build
// that matters.
const clockTick = 10 * time.Millisecond

// cpuMeter samples CPU use; serverPID is the dev server's process.
type cpuMeter struct{ serverPID int }

// newCPUMeter finds the dev server: the child process of this one that runs
// Temporal's CLI (testsuite.DevServer does not expose its process).
func newCPUMeter() *cpuMeter {
	m := &cpuMeter{}
	self := strconv.Itoa(os.Getpid())
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, dir := range dirs {
		raw, err := os.ReadFile(filepath.Join(dir, "stat"))
		if err != nil {
			continue
		}
		comm, fields, ok := parseStat(string(raw))
		if ok && len(fields) > 1 && fields[1] == self && strings.HasPrefix(comm, "temporal") {
			m.serverPID, _ = strconv.Atoi(filepath.Base(dir))
			break
		}
	}
	return m
}

// parseStat splits /proc/PID/stat: the command (in parentheses, may hold
// spaces) and the fields after it, starting with the state.
func parseStat(s string) (comm string, fields []string, ok bool) {
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return "", nil, false
	}
	return s[open+1 : end], strings.Fields(s[end+1:]), true
}

func (m *cpuMeter) sample() cpuSample {
	if m.serverPID == 0 {
		return cpuSample{}
	}
	var s cpuSample
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(m.serverPID) + "/stat")
	if err != nil {
		return cpuSample{}
	}
	_, f, ok := parseStat(string(raw))
	if !ok || len(f) < 13 { // utime and stime are fields 14 and 15 of stat
		return cpuSample{}
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	s.server = time.Duration(ut+st) * clockTick

	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return cpuSample{}
	}
	s.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())

	raw, err = os.ReadFile("/proc/stat")
	if err != nil {
		return cpuSample{}
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	f = strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return cpuSample{}
	}
	var busy int64
	for i, v := range f[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		if i == 3 || i == 4 || i >= 8 { // idle, iowait; guest times are already in user
			continue
		}
		busy += n
	}
	s.host = time.Duration(busy) * clockTick
	s.ok = true
	return s
}
