package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"gorm.io/gorm"

	"github.com/dsrcase/dsr/activities"
	"github.com/dsrcase/dsr/config"
	"github.com/dsrcase/dsr/mailer"
	"github.com/dsrcase/dsr/web"
	"github.com/dsrcase/dsr/workflows"
)

func newLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// dialTemporal connects to Temporal, waiting up to wait for it to answer.
func dialTemporal(ctx context.Context, address, namespace string, logger *slog.Logger, wait time.Duration) (client.Client, error) {
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	deadline := time.Now().Add(wait)
	for {
		c, err := client.DialContext(ctx, client.Options{HostPort: address, Namespace: namespace,
			Logger: tlog.NewStructuredLogger(quiet)})
		if err == nil {
			return c, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, fmt.Errorf("connect to Temporal at %s: %w", address, err)
		}
		logger.Debug("waiting for Temporal", "address", address, "error", err)
		time.Sleep(500 * time.Millisecond)
	}
}

// newWorker registers both workflows and every activity.
func newWorker(c client.Client, db *gorm.DB, cfg config.Config, logger *slog.Logger) (worker.Worker, error) {
	var sender mailer.Sender
	if mailer.Configured(cfg.SMTPURL) {
		var err error
		if sender, err = mailer.New(cfg.SMTPURL, cfg.MailFrom); err != nil {
			return nil, fmt.Errorf("DSR_SMTP_URL: %w", err)
		}
	}
	w := worker.New(c, cfg.TaskQueue, worker.Options{})
	workflows.Register(w)
	w.RegisterActivity(&activities.Activities{DB: db, Mail: sender, BaseURL: cfg.BaseURL,
		Organisation: cfg.Organisation, ComplaintAuthority: cfg.ComplaintAuthority, Logger: logger})
	return w, nil
}

// newWeb builds the web app around a Temporal client.
func newWeb(c client.Client, db *gorm.DB, cfg config.Config, logger *slog.Logger) (*web.Server, error) {
	wf := &web.TemporalWorkflows{Client: c, TaskQueue: cfg.TaskQueue, Input: workflows.CaseInput{
		VerifyWithin: cfg.VerifyWithin, ReminderDays: cfg.ReminderDays, EscalateEvery: cfg.EscalateEvery}}
	return web.New(db, wf, cfg, logger)
}

// listen opens the web port, explaining a taken port in one line.
func listen(addr, setting string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, fmt.Errorf("%s is already in use; stop the program using it or set %s to another address", addr, setting)
		}
		return nil, fmt.Errorf("listen on %s (%s): %w", addr, setting, err)
	}
	return l, nil
}

// serveHTTP serves until ctx ends, then drains requests for a few seconds.
func serveHTTP(ctx context.Context, l net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return srv.Shutdown(shutdownCtx)
	}
}

func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// connection is what a production process (web or worker) runs on.
type connection struct {
	cfg    config.Config
	logger *slog.Logger
	db     *gorm.DB
	client client.Client
}

// connect loads the settings, checks the schema is current and dials the
// Temporal cluster named by DSR_TEMPORAL_ADDRESS.
func connect(ctx context.Context, cmd string) (*connection, error) {
	cfg, err := config.Load()
	if err != nil {
		return nil, err
	}
	if cfg.TemporalAddress == "" {
		return nil, fmt.Errorf("DSR_TEMPORAL_ADDRESS is not set: `dsr %s` needs a Temporal cluster (or use `dsr dev`)", cmd)
	}
	logger := newLogger()
	db, err := openCurrentDB(ctx, cfg)
	if err != nil {
		return nil, err
	}
	c, err := dialTemporal(ctx, cfg.TemporalAddress, cfg.TemporalNamespace, logger, 30*time.Second)
	if err != nil {
		return nil, err
	}
	return &connection{cfg: cfg, logger: logger, db: db, client: c}, nil
}

// startWorker starts a worker with both workflows and every activity.
func startWorker(c client.Client, db *gorm.DB, cfg config.Config, logger *slog.Logger) (worker.Worker, error) {
	w, err := newWorker(c, db, cfg, logger)
	if err != nil {
		return nil, err
	}
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("start worker: %w", err)
	}
	logger.Info("worker started", "task_queue", cfg.TaskQueue)
	return w, nil
}

func runWeb(args []string) error {
	if len(args) > 0 {
		return usageError("web takes no arguments")
	}
	ctx, stop := signalContext()
	defer stop()
	conn, err := connect(ctx, "web")
	if err != nil {
		return err
	}
	defer conn.client.Close()
	srv, err := newWeb(conn.client, conn.db, conn.cfg, conn.logger)
	if err != nil {
		return err
	}
	l, err := listen(conn.cfg.Listen, "DSR_LISTEN")
	if err != nil {
		return err
	}
	conn.logger.Info("web listening", "address", conn.cfg.Listen, "base_url", conn.cfg.BaseURL)
	return serveHTTP(ctx, l, srv)
}

func runWorker(args []string) error {
	if len(args) > 0 {
		return usageError("worker takes no arguments")
	}
	ctx, stop := signalContext()
	defer stop()
	conn, err := connect(ctx, "worker")
	if err != nil {
		return err
	}
	defer conn.client.Close()
	w, err := startWorker(conn.client, conn.db, conn.cfg, conn.logger)
	if err != nil {
		return err
	}
	<-ctx.Done()
	w.Stop()
	return nil
}
