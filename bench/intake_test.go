// Package bench holds whole-system benchmarks: the real Temporal dev server,
// a real database, the worker and the web app behind a real HTTP listener
// (systemtest.Stack). Run them with `make bench`.
package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/dsrcase/dsr/dbtest"
	"github.com/dsrcase/dsr/models"
	"github.com/dsrcase/dsr/systemtest"
	"github.com/dsrcase/dsr/workflows"
)

// EnvDatabase names a PostgreSQL server for the intake side of the
// benchmark, for example
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable. The benchmark
// works in a fresh schema there (dbtest.PostgresURL) and drops it
// afterwards. Unset: a fresh SQLite file, as `dsr dev` uses.
const EnvDatabase = "DSR_BENCH_DATABASE_URL"

// Target: intake throughput >= 0.7 x baseline throughput at every
// concurrency level. Intake does, per request, what a bare start does (one
// StartWorkflow with the same options) plus the HTTP round trip, JSON
// decoding and validation, and the transaction that commits the case row,
// its reference number and its first event. It may cost that much more and
// no more: the workflow start should stay the dominant cost.
const target = 0.7

// level is one concurrency level and how many calls each mode makes there.
type level struct {
	clients int
	n       int
}

// Sized so that the whole run (dev server, worker, web app and clients on
// one 2-core machine, waits for the worker included) takes about four
// minutes.
var levels = []level{{1, 400}, {8, 800}, {32, 800}}

const (
	warmup = 100 // calls per mode at 8 clients before measuring, not counted
	rounds = 4   // each level's n is split in rounds whose order alternates
)

// mode is what one client call does.
type mode string

const (
	baseline mode = "baseline" // bare ExecuteWorkflow on the worker's task queue
	intake   mode = "intake"   // POST /api/v1/requests through real HTTP
	idle     mode = "start-idle-q"
	// start-idle-q: bare ExecuteWorkflow on a task queue that no worker
	// polls, for reference: a start with no workflow work after it.
)

// order is the order of the modes in each round; every other round runs
// it backwards, so that slow drift (histories and tables growing, other
// load on the machine) hits every mode alike.
var order = []mode{baseline, intake, idle}

// phase is the measurement of one mode at one level.
type phase struct {
	n         int
	wall      time.Duration
	latencies []time.Duration
	errors    int
	firstErr  error
	ids       []string // workflow IDs a baseline phase started
	cpu       cpuUse   // CPU used during the timed phase
}

func (p *phase) add(q phase) {
	if p.n == 0 {
		p.cpu = q.cpu
	} else {
		p.cpu = cpuUse{ok: p.cpu.ok && q.cpu.ok, server: p.cpu.server + q.cpu.server,
			self: p.cpu.self + q.cpu.self, others: p.cpu.others + q.cpu.others}
	}
	p.n += q.n
	p.wall += q.wall
	p.latencies = append(p.latencies, q.latencies...)
	p.errors += q.errors
	if p.firstErr == nil {
		p.firstErr = q.firstErr
	}
}

// cpuPerCall is CPU ms per call: dev server, this process, other programs.
func (p phase) cpuPerCall() string {
	if !p.cpu.ok || p.n == 0 {
		return fmt.Sprintf("%7s  %7s  %7s", "-", "-", "-")
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / float64(p.n) }
	return fmt.Sprintf("%7.1f  %7.1f  %7.1f", ms(p.cpu.server), ms(p.cpu.self), ms(p.cpu.others))
}

func (p phase) throughput() float64 {
	if p.wall <= 0 {
		return 0
	}
	return float64(p.n-p.errors) / p.wall.Seconds()
}

// percentile is the nearest-rank percentile of sorted latencies, in ms.
func percentile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	i = max(0, min(i, len(sorted)-1))
	return float64(sorted[i]) / float64(time.Millisecond)
}

// BenchmarkIntake measures intake (POST /api/v1/requests: the case
// workflow started and the case row committed) through real HTTP against a
// running stack, beside a baseline of bare ExecuteWorkflow calls measured
// in the same run, at 1, 8 and 32 concurrent clients. It prints a table and
// reports each level's intake/baseline throughput ratio ("ratio-c8").
//
// The baseline starts the same workflow type with the same options (ID
// "case-<fresh id>", reject-duplicate policy, a CaseInput with a fresh case
// ID) on the same task queue, through the same Temporal client the web app
// uses, against the same dev server, with the stack's worker running. So in
// both modes every start is followed at once by the same kind of workflow
// work (a workflow task, the LoadCase activity, ...) competing for the same
// dev server and cores; what differs is what intake adds in front (HTTP,
// validation, the database commit) and what its real cases do next (two
// emails over SMTP, status writes) — the honest cost of accepting a case.
//
// A baseline workflow finds no case row and would retry LoadCase nine times
// with growing sleeps for about four minutes, loading every later phase of
// both modes more and more. So the benchmark cancels each baseline phase's
// workflows right after the phase and waits until they have closed (not
// timed; see finish), and after each intake phase it waits until the worker
// has caught up (every accepted case has sent its two emails; the "drain s"
// column), so that no phase pays for the one before.
//
// A third mode, start-idle-q, starts the same workflows on a task queue that
// no worker polls: the price of a start with nothing after it. It is not
// the baseline (no real start is free of the work it causes); it shows how
// much of any start's cost is the workflow work it sets off.
//
// Each measurement is made once, whatever b.N is: run with -benchtime 1x.
func BenchmarkIntake(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()

	databaseURL, dbName := "", "sqlite"
	if base := strings.TrimSpace(os.Getenv(EnvDatabase)); base != "" {
		if !strings.HasPrefix(base, "postgres://") && !strings.HasPrefix(base, "postgresql://") {
			b.Fatalf("%s must be a postgres:// URL (unset it for SQLite)", EnvDatabase)
		}
		b.Setenv(dbtest.EnvPostgres, base)
		databaseURL, dbName = dbtest.PostgresURL(b), "postgres"
	}

	startCtx, startCancel := context.WithTimeout(ctx, 2*time.Minute)
	dev, err := systemtest.StartDevServer(startCtx)
	startCancel()
	if err != nil {
		b.Fatalf("start Temporal dev server: %v", err)
	}
	b.Cleanup(func() { _ = dev.Stop() })
	stack := systemtest.NewStack(b, dev, systemtest.Options{DatabaseURL: databaseURL})

	r := &runner{
		stack: stack,
		url:   stack.Web.URL + "/api/v1/requests",
		http: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
			MaxIdleConns: 128, MaxIdleConnsPerHost: 128, IdleConnTimeout: time.Minute}},
		input: workflows.CaseInput{VerifyWithin: 14 * 24 * time.Hour},
		cpu:   newCPUMeter(),
	}
	defer r.http.CloseIdleConnections()

	// phaseDone is what follows every phase, untimed: baseline workflows
	// are ended, intake cases' first steps drained.
	phaseDone := func(m mode, p phase) time.Duration {
		if m == baseline {
			r.finish(ctx, p.ids)
		}
		return r.settle(ctx, b)
	}

	// Warm up every path: connections, the dev server's caches, the
	// worker's pollers, the database's first pages.
	for _, m := range order {
		p := r.run(ctx, m, 8, warmup)
		if p.errors > 0 {
			b.Fatalf("warm-up %s: %d of %d failed, first: %v", m, p.errors, p.n, p.firstErr)
		}
		phaseDone(m, p)
	}

	type row struct {
		level
		phases      map[mode]*phase
		roundRatios []float64 // intake/baseline throughput in each round
		drain       time.Duration
	}
	var rows []row
	for _, lv := range levels {
		rw := row{level: lv, phases: map[mode]*phase{}}
		for _, m := range order {
			rw.phases[m] = &phase{}
		}
		for round := range rounds {
			n := lv.n / rounds
			if round == rounds-1 {
				n = lv.n - n*(rounds-1)
			}
			modes := slices.Clone(order)
			if round%2 == 1 {
				slices.Reverse(modes)
			}
			perRound := map[mode]float64{}
			for _, m := range modes {
				p := r.run(ctx, m, lv.clients, n)
				drain := phaseDone(m, p)
				rw.phases[m].add(p)
				perRound[m] = p.throughput()
				if m == intake {
					rw.drain += drain
				}
				fmt.Fprintf(os.Stderr, "bench: %2d clients  %-12s n=%-4d %6.1f/s  errors=%d  then %.1fs to settle\n",
					lv.clients, m, n, p.throughput(), p.errors, drain.Seconds())
			}
			if perRound[baseline] > 0 {
				rw.roundRatios = append(rw.roundRatios, perRound[intake]/perRound[baseline])
			}
		}
		rows = append(rows, rw)
		if ctx.Err() != nil {
			b.Fatalf("benchmark ran out of time: %v", ctx.Err())
		}
	}

	var out strings.Builder
	fmt.Fprintf(&out, "\nBenchmarkIntake: %s, GOMAXPROCS %d; target intake throughput >= %.1f x baseline\n",
		dbName, runtime.GOMAXPROCS(0), target)
	fmt.Fprintf(&out, "%-7s  %-12s  %5s  %12s  %8s  %8s  %15s  %7s  %7s  %7s  %7s\n",
		"clients", "mode", "n", "throughput/s", "p50 ms", "p99 ms", "intake/baseline", "drain s",
		"srv cpu", "app cpu", "oth cpu")
	failed := false
	var noise, busy time.Duration // other programs' CPU in the phases that never touch a database
	for _, rw := range rows {
		for _, m := range []mode{baseline, idle} {
			if c := rw.phases[m].cpu; c.ok {
				noise += c.others
				busy += c.server + c.self + c.others
			}
		}
		ratio := 0.0
		if bt := rw.phases[baseline].throughput(); bt > 0 {
			ratio = rw.phases[intake].throughput() / bt
		}
		for _, m := range order {
			p := rw.phases[m]
			slices.Sort(p.latencies)
			ratioCol, drainCol := "", ""
			if m == intake {
				ratioCol = fmt.Sprintf("%.2f", ratio)
				if ratio < target {
					ratioCol += " below"
				}
				drainCol = fmt.Sprintf("%.1f", rw.drain.Seconds())
			}
			fmt.Fprintf(&out, "%-7d  %-12s  %5d  %12.1f  %8.1f  %8.1f  %15s  %7s  %s\n", rw.clients, m, p.n,
				p.throughput(), percentile(p.latencies, 0.50), percentile(p.latencies, 0.99), ratioCol, drainCol,
				p.cpuPerCall())
			if p.errors > 0 {
				failed = true
				fmt.Fprintf(&out, "         %d of %d %s calls failed; first: %v\n", p.errors, p.n, m, p.firstErr)
			}
		}
		if len(rw.roundRatios) > 0 {
			var rs []string
			for _, x := range rw.roundRatios {
				rs = append(rs, fmt.Sprintf("%.2f", x))
			}
			sorted := slices.Sorted(slices.Values(rw.roundRatios))
			med := sorted[len(sorted)/2]
			if len(sorted)%2 == 0 {
				med = (sorted[len(sorted)/2-1] + med) / 2
			}
			fmt.Fprintf(&out, "         intake/baseline by round: %s (median %.2f)\n", strings.Join(rs, " "), med)
		}
		c := rw.clients
		b.ReportMetric(ratio, fmt.Sprintf("ratio-c%d", c))
		b.ReportMetric(rw.phases[intake].throughput(), fmt.Sprintf("intake-req/s-c%d", c))
		b.ReportMetric(rw.phases[baseline].throughput(), fmt.Sprintf("baseline-req/s-c%d", c))
	}
	out.WriteString("baseline: bare ExecuteWorkflow, same workflow type and task queue, worker running\n")
	out.WriteString("start-idle-q: the same on a task queue no worker polls (reference, not the baseline)\n")
	out.WriteString("drain s: untimed wait after the intake phases until every case had sent its two emails\n")
	out.WriteString("by round: each round's intake phase against its baseline phase; a spread far wider than the\n" +
		"  others' says a burst of other load hit one phase\n")
	out.WriteString("srv/app/oth cpu: CPU ms per call during the timed phases, used by the Temporal dev server,\n" +
		"  by this process (web app, worker, SQLite, SMTP server, clients), by every other program on\n" +
		"  the host (PostgreSQL's backends when used, and any unrelated load: noise)\n")
	if busy > 0 {
		fmt.Fprintf(&out, "noise: other programs took %.0f%% of the CPU used during the baseline and start-idle-q phases\n"+
			"  (about 0%% on a quiet machine; when it is more than a few per cent, the ratios carry that noise)\n",
			100*float64(noise)/float64(busy))
	}
	fmt.Print(out.String())
	b.ReportMetric(0, "ns/op") // one pass of minutes: ns/op would mean nothing
	if failed {
		b.Fatal("some calls failed; see the table")
	}
}

// runner makes the calls of every mode against one stack.
type runner struct {
	stack    *systemtest.Stack
	url      string
	http     *http.Client
	input    workflows.CaseInput
	seq      atomic.Int64
	accepted atomic.Int64 // intake requests answered 201 so far
	cpu      *cpuMeter
}

// run makes n calls of mode m from clients goroutines and times them.
// Every goroutine ends when the calls are made or ctx ends.
func (r *runner) run(ctx context.Context, m mode, clients, n int) phase {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	lat := make([]time.Duration, n)
	failed := make([]error, n)
	ids := make([]string, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	cpu0, start := r.cpu.sample(), time.Now()
	for range clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := ctx.Err(); err != nil {
					failed[i] = err
					continue
				}
				t0 := time.Now()
				var err error
				switch m {
				case intake:
					err = r.intake(ctx)
				case baseline:
					ids[i], err = r.start(ctx, r.stack.Config.TaskQueue)
				case idle:
					_, err = r.start(ctx, r.stack.Config.TaskQueue+"-idle")
				}
				lat[i], failed[i] = time.Since(t0), err
			}
		})
	}
	wg.Wait()
	p := phase{n: n, wall: time.Since(start), cpu: cpu0.to(r.cpu.sample())}
	for i, err := range failed {
		if ids[i] != "" {
			p.ids = append(p.ids, ids[i])
		}
		if err != nil {
			p.errors++
			if p.firstErr == nil {
				p.firstErr = err
			}
			continue
		}
		p.latencies = append(p.latencies, lat[i])
	}
	return p
}

// start starts a case workflow exactly as intake does (web.TemporalWorkflows
// .StartCase), for a case that has no row, and returns its workflow ID.
func (r *runner) start(ctx context.Context, taskQueue string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	in := r.input
	in.CaseID = models.NewID()
	id := workflows.CaseWorkflowID(in.CaseID)
	_, err := r.stack.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                    id,
		TaskQueue:             taskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, workflows.CaseWorkflowName, in)
	if err != nil {
		return "", err
	}
	return id, nil
}

// intake submits one valid request through the public API.
func (r *runner) intake(ctx context.Context) error {
	seq := r.seq.Add(1)
	body := fmt.Sprintf(`{"type":"access","subject":{"email":"bench+%d@example.com","name":"Bench Subject %d"},`+
		`"country":"NL","language":"en","details":"Please send me a copy of my personal data."}`, seq, seq)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.http.Do(req)
	if err != nil {
		return err
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("POST /api/v1/requests: %d %s", resp.StatusCode, bytes.TrimSpace(raw))
	}
	r.accepted.Add(1)
	return nil
}

// finish ends the baseline workflows of a phase and waits until they are
// closed, so that their LoadCase retries do not load the phases after it.
// It asks for cancellation rather than terminating: a cancelled case
// workflow stops waiting for its row and closes in one workflow task on the
// worker. Terminating hundreds at once leaves tasks of closed workflows
// in the worker's sticky queue; the SDK's pollers, told by the last poll
// that the sticky queue has a backlog, then all wait on it, and the normal
// queue (new cases) starves for the ~60 s of a long poll.
func (r *runner) finish(ctx context.Context, ids []string) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(ids) || ctx.Err() != nil {
					return
				}
				err := r.stack.Client.CancelWorkflow(ctx, ids[i], "")
				var nf *serviceerror.NotFound
				if err != nil && !errors.As(err, &nf) && ctx.Err() == nil {
					fmt.Fprintf(os.Stderr, "bench: cancel %s: %v\n", ids[i], err)
					continue
				}
				// Wait for the close; a cancelled or failed result is fine.
				_ = r.stack.Client.GetWorkflow(ctx, ids[i], "").Get(ctx, nil)
			}
		})
	}
	wg.Wait()
}

// settle waits until the worker has caught up with the cases accepted so
// far (each sends an acknowledgement and a verification email), then a
// moment more for in-flight workflow tasks, and returns how long that took.
// It gives up after three minutes rather than hang.
func (r *runner) settle(ctx context.Context, t testing.TB) time.Duration {
	start := time.Now()
	want := 2 * int(r.accepted.Load())
	deadline := time.NewTimer(3 * time.Minute)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for len(r.stack.SMTP.Messages()) < want {
		select {
		case <-tick.C:
		case <-deadline.C:
			t.Logf("worker still behind after 3m: %d of %d emails sent", len(r.stack.SMTP.Messages()), want)
			return time.Since(start)
		case <-ctx.Done():
			return time.Since(start)
		}
	}
	select {
	case <-time.After(250 * time.Millisecond):
	case <-ctx.Done():
	}
	return time.Since(start)
}
