package bench

import "time"

// cpuSample is the CPU time used so far by the Temporal dev server, by this
// process (web app, worker, database driver, SMTP server and the clients)
// and by the whole host, so that each phase can say where its CPU went and
// how much other programs on the machine took meanwhile. Linux only (it
// reads /proc): elsewhere samples are not ok and the table shows dashes.
type cpuSample struct {
	ok                 bool
	server, self, host time.Duration
}

// cpuUse is CPU time spent between two samples.
type cpuUse struct {
	ok                   bool
	server, self, others time.Duration
}

func (a cpuSample) to(b cpuSample) cpuUse {
	if !a.ok || !b.ok {
		return cpuUse{}
	}
	u := cpuUse{ok: true, server: b.server - a.server, self: b.self - a.self}
	u.others = max(0, b.host-a.host-u.server-u.self)
	return u
}
