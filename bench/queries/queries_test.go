// Package queries measures the database work of the pages managers and
// handlers open most — the queue, search by reference, the dashboard — at
// a million cases, beside the same queries at ten thousand cases in the
// same run. Run with `make bench` (PostgreSQL: DSR_BENCH_DATABASE_URL).
package queries

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/dsrcase/dsr/dbtest"
	"github.com/dsrcase/dsr/models"
)

// target is the p95 of each page's database work at scale.
const target = 100 * time.Millisecond

// query is one page's database work.
type query struct {
	name string
	run  func(ctx context.Context, db *gorm.DB) error
	sql  string // for EXPLAIN, PostgreSQL only
}

func queries(now time.Time) []query {
	list := func(f models.CaseFilter) func(context.Context, *gorm.DB) error {
		return func(ctx context.Context, db *gorm.DB) error {
			_, _, err := models.ListCases(ctx, db, f)
			return err
		}
	}
	return []query{
		{"queue, first page", list(models.CaseFilter{Limit: 50}),
			"SELECT * FROM cases ORDER BY due_at, id LIMIT 51"},
		{"queue, in progress", list(models.CaseFilter{Status: models.StatusInProgress, Limit: 50}),
			"SELECT * FROM cases WHERE status = 'in_progress' ORDER BY due_at, id LIMIT 51"},
		{"queue, erasure", list(models.CaseFilter{Type: models.TypeErasure, Limit: 50}),
			"SELECT * FROM cases WHERE type = 'erasure' ORDER BY due_at, id LIMIT 51"},
		{"search by reference", list(models.CaseFilter{Reference: "SEED-2025-0000042", Limit: 50}),
			"SELECT * FROM cases WHERE reference = 'SEED-2025-0000042' ORDER BY due_at, id LIMIT 51"},
		{"dashboard", func(ctx context.Context, db *gorm.DB) error {
			_, err := models.LoadDashboard(ctx, db, now)
			return err
		}, ""},
	}
}

type result struct {
	p50, p95 time.Duration
}

func measure(b *testing.B, db *gorm.DB, q query, runs int) result {
	ctx := context.Background()
	var times []time.Duration
	for i := 0; i < runs+3; i++ {
		start := time.Now()
		if err := q.run(ctx, db); err != nil {
			b.Fatalf("%s: %v", q.name, err)
		}
		if i >= 3 { // the first runs warm the caches
			times = append(times, time.Since(start))
		}
	}
	slices.Sort(times)
	return result{p50: times[len(times)/2], p95: times[(len(times)*95+99)/100-1]}
}

// seeded returns a fresh database with n synthetic cases.
func seeded(b *testing.B, n int, now time.Time) *gorm.DB {
	var db *gorm.DB
	if os.Getenv(dbtest.EnvPostgres) != "" {
		db = dbtest.Postgres(b)
	} else {
		db = dbtest.SQLite(b)
	}
	start := time.Now()
	if err := models.SeedCases(context.Background(), db, n, 42, now); err != nil {
		b.Fatal(err)
	}
	if models.IsPostgres(db) {
		db.Exec("VACUUM ANALYZE") // as autovacuum would have done
	}
	b.Logf("seeded %d cases in %s", n, time.Since(start).Round(time.Second))
	return db
}

// BenchmarkCaseQueries prints each query's p50 and p95 at a small and a
// large case table, the ratio between them, and, on PostgreSQL, the plan.
func BenchmarkCaseQueries(b *testing.B) {
	if u := os.Getenv("DSR_BENCH_DATABASE_URL"); u != "" {
		b.Setenv(dbtest.EnvPostgres, u)
	}
	large := 1_000_000
	if v := os.Getenv("DSR_BENCH_CASES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 10_000 {
			b.Fatalf("DSR_BENCH_CASES=%q: want a whole number of at least 10000", v)
		}
		large = n
	}
	now := time.Now().UTC()
	small := seeded(b, 10_000, now)
	big := seeded(b, large, now)
	var report strings.Builder
	fmt.Fprintf(&report, "\n%-22s %12s %12s %12s %12s %8s  %s\n", "query", "p50@10k", "p95@10k",
		fmt.Sprintf("p50@%d", large), fmt.Sprintf("p95@%d", large), "ratio", "target")
	for _, q := range queries(now) {
		s := measure(b, small, q, 50)
		l := measure(b, big, q, 50)
		verdict := "ok"
		if l.p95 > target {
			verdict = "OVER " + target.String()
		}
		fmt.Fprintf(&report, "%-22s %12s %12s %12s %12s %8.2f  %s\n", q.name, ms(s.p50), ms(s.p95), ms(l.p50), ms(l.p95),
			float64(l.p95)/float64(max(s.p95, time.Microsecond)), verdict)
		b.ReportMetric(float64(l.p95.Microseconds())/1000, "p95-ms-"+strings.ReplaceAll(q.name, " ", "_"))
		if models.IsPostgres(big) && q.sql != "" {
			var plan []string
			big.Raw("EXPLAIN " + q.sql).Scan(&plan)
			fmt.Fprintf(&report, "    plan: %s\n", strings.Join(plan, "\n          "))
		}
	}
	b.Log(report.String())
	fmt.Println(report.String())
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }
