// Package systemtest runs the whole product for tests and benchmarks: the
// real Temporal dev server (Temporal's own CLI, built by `make`), a real
// database, a real SMTP server over loopback, the worker and the web app
// behind a real HTTP listener. Only what cannot run here is faked: nothing.
package systemtest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"gorm.io/gorm"

	"github.com/dsrcase/dsr/activities"
	"github.com/dsrcase/dsr/config"
	"github.com/dsrcase/dsr/dbtest"
	"github.com/dsrcase/dsr/mailer"
	"github.com/dsrcase/dsr/models"
	"github.com/dsrcase/dsr/smtptest"
	"github.com/dsrcase/dsr/web"
	"github.com/dsrcase/dsr/workflows"
)

// TemporalCLI finds Temporal's CLI: DSR_TEMPORAL_CLI, or bin/temporal at
// the module root (where `make` builds it).
func TemporalCLI() (string, error) {
	if p := os.Getenv("DSR_TEMPORAL_CLI"); p != "" {
		return p, nil
	}
	_, file, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(file), "..", "bin", "temporal")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("Temporal's CLI is not built: run `make test` (it builds bin/temporal) or set DSR_TEMPORAL_CLI")
	}
	return p, nil
}

// StartDevServer starts Temporal's dev server on free loopback ports.
func StartDevServer(ctx context.Context) (*testsuite.DevServer, error) {
	cli, err := TemporalCLI()
	if err != nil {
		return nil, err
	}
	return testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
		ExistingPath: cli,
		LogLevel:     "error",
		Stdout:       io.Discard,
		Stderr:       io.Discard,
		ClientOptions: &client.Options{Logger: tlog.NewStructuredLogger(
			slog.New(slog.NewTextHandler(io.Discard, nil)))},
	})
}

// Options tune a Stack.
type Options struct {
	VerifyWithin time.Duration // default 14 days
	DatabaseURL  string        // default: PostgreSQL when DSR_TEST_DATABASE_URL is set, else a fresh SQLite file
	NoSMTP       bool          // keep messages in the outbox
}

// Stack is one running instance of the product.
type Stack struct {
	Config config.Config
	DB     *gorm.DB
	Client client.Client
	SMTP   *smtptest.Server
	Web    *httptest.Server
	Worker worker.Worker
}

// NewStack starts a worker and the web app against dev, on a task queue of
// their own so that stacks sharing a dev server never take each other's work.
func NewStack(t testing.TB, dev *testsuite.DevServer, opts Options) *Stack {
	t.Helper()
	if opts.VerifyWithin == 0 {
		opts.VerifyWithin = 14 * 24 * time.Hour
	}
	if opts.DatabaseURL == "" {
		// CI sets DSR_TEST_DATABASE_URL: the whole product then runs on
		// PostgreSQL, in a schema of this test's own.
		opts.DatabaseURL = dbtest.SQLiteURL(t)
		if os.Getenv(dbtest.EnvPostgres) != "" {
			opts.DatabaseURL = dbtest.PostgresURL(t)
		}
	}
	db, err := models.Open(opts.DatabaseURL)
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	if _, err := models.Migrate(context.Background(), db); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	baseURL := "http://" + listener.Addr().String()
	cfg := config.Config{
		DatabaseURL: opts.DatabaseURL, TemporalNamespace: "default", TaskQueue: "dsr-" + models.NewID(),
		BaseURL: baseURL, MailFrom: "privacy@dsr.test", VerifyWithin: opts.VerifyWithin,
		SessionLifetime: time.Hour, Organisation: "Example Communications B.V.",
		ComplaintAuthority: "the Autoriteit Persoonsgegevens",
	}
	s := &Stack{Config: cfg, DB: db, Client: dev.Client()}
	var sender mailer.Sender
	if !opts.NoSMTP {
		s.SMTP = smtptest.NewServer(t)
		if sender, err = mailer.New("smtp://"+s.SMTP.Addr, cfg.MailFrom); err != nil {
			t.Fatalf("mailer: %v", err)
		}
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	s.Worker = worker.New(s.Client, cfg.TaskQueue, worker.Options{})
	workflows.Register(s.Worker)
	s.Worker.RegisterActivity(&activities.Activities{DB: db, Mail: sender, BaseURL: baseURL,
		Organisation: cfg.Organisation, ComplaintAuthority: cfg.ComplaintAuthority, Logger: quiet})
	if err := s.Worker.Start(); err != nil {
		t.Fatalf("start worker: %v", err)
	}
	app, err := web.New(db, &web.TemporalWorkflows{Client: s.Client, TaskQueue: cfg.TaskQueue,
		Input: workflows.CaseInput{VerifyWithin: opts.VerifyWithin}}, cfg, quiet)
	if err != nil {
		t.Fatalf("web app: %v", err)
	}
	s.Web = &httptest.Server{Listener: listener, Config: &http.Server{Handler: app}}
	s.Web.Start()
	t.Cleanup(func() {
		s.Web.Close()
		s.Worker.Stop()
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	return s
}

// StaffToken creates a staff user with role and returns a bearer token.
func (s *Stack) StaffToken(t testing.TB, email string, role models.Role) string {
	t.Helper()
	u, err := models.CreateUser(context.Background(), s.DB, email, role, "correct horse battery staple")
	if err != nil {
		t.Fatalf("create user: %v", err)
	}
	token, err := models.CreateAPIToken(context.Background(), s.DB, u.ID)
	if err != nil {
		t.Fatalf("create token: %v", err)
	}
	return token
}
