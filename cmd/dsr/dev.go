package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/dsrcase/dsr/config"
)

// runDev runs the whole product on one machine: Temporal's dev server (its
// history kept in DSR_DATA_DIR, so cases survive a restart), the database
// migrated, the worker and the web app. Ctrl-C stops all of it.
func runDev(args []string) error {
	if len(args) > 0 {
		return usageError("dev takes no arguments")
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	logger := newLogger()
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("create DSR_DATA_DIR %s: %w", cfg.DataDir, err)
	}
	webListener, err := listen(cfg.Listen, "DSR_LISTEN")
	if err != nil {
		return err
	}
	address, uiURL := cfg.TemporalAddress, "(the Web UI of your Temporal cluster)"
	if address == "" {
		server, err := startTemporalDev(cfg)
		if err != nil {
			return err
		}
		defer server.stop()
		address = fmt.Sprintf("127.0.0.1:%d", cfg.TemporalDevPort)
		uiURL = fmt.Sprintf("http://127.0.0.1:%d", cfg.TemporalDevUIPort)
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	c, err := dialTemporal(ctx, address, cfg.TemporalNamespace, logger, time.Minute)
	if err != nil {
		return err
	}
	defer c.Close()
	w, err := startWorker(c, db, cfg, logger)
	if err != nil {
		return err
	}
	defer w.Stop()
	srv, err := newWeb(c, db, cfg, logger)
	if err != nil {
		return err
	}
	mail := "messages stay in the outbox (" + cfg.BaseURL + "/outbox); set DSR_SMTP_URL to send them"
	if cfg.SMTPURL != "" {
		mail = "messages are sent through DSR_SMTP_URL"
	}
	fmt.Printf(`
  Privacy requests is running.

  App (request form):  %s/
  Staff workspace:     %s/cases
  Temporal Web UI:     %s
  Data:                %s
  Email:               %s

  Create the first staff user in another terminal:
    bin/dsr user add --email you@example.com --role admin

  Press Ctrl-C to stop.

`, cfg.BaseURL, cfg.BaseURL, uiURL, cfg.DataDir, mail)
	err = serveHTTP(ctx, webListener, srv)
	fmt.Println("stopping…")
	return err
}

type devServer struct {
	cmd  *exec.Cmd
	done chan struct{}
}

// startTemporalDev starts `temporal server start-dev` with its database in
// DSR_DATA_DIR, after checking that its ports are free.
func startTemporalDev(cfg config.Config) (*devServer, error) {
	cli, err := temporalCLI(cfg)
	if err != nil {
		return nil, err
	}
	for _, p := range []struct {
		port    int
		setting string
	}{{cfg.TemporalDevPort, "DSR_TEMPORAL_DEV_PORT"}, {cfg.TemporalDevUIPort, "DSR_TEMPORAL_UI_PORT"}} {
		if err := portFree(p.port, p.setting); err != nil {
			return nil, err
		}
	}
	logFile, err := os.OpenFile(filepath.Join(cfg.DataDir, "temporal.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return nil, fmt.Errorf("open Temporal log: %w", err)
	}
	cmd := exec.Command(cli, "server", "start-dev",
		"--ip", "127.0.0.1",
		"--port", strconv.Itoa(cfg.TemporalDevPort),
		"--ui-port", strconv.Itoa(cfg.TemporalDevUIPort),
		"--db-filename", filepath.Join(cfg.DataDir, "temporal.db"),
		"--namespace", cfg.TemporalNamespace,
		"--log-level", "warn")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Its own process group: Ctrl-C reaches only us, so the worker stops
	// before the server does. Pdeathsig stops it if we are killed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start Temporal dev server (%s): %w", cli, err)
	}
	s := &devServer{cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(s.done)
	}()
	return s, nil
}

func (s *devServer) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// temporalCLI finds Temporal's CLI: DSR_TEMPORAL_CLI, then bin/temporal
// beside the dsr binary or in the working directory, then PATH.
func temporalCLI(cfg config.Config) (string, error) {
	if cfg.TemporalCLI != "" {
		return cfg.TemporalCLI, nil
	}
	var candidates []string
	if exe, err := os.Executable(); err == nil {
		candidates = append(candidates, filepath.Join(filepath.Dir(exe), "temporal"))
	}
	candidates = append(candidates, filepath.Join("bin", "temporal"))
	for _, c := range candidates {
		if info, err := os.Stat(c); err == nil && !info.IsDir() {
			return c, nil
		}
	}
	if p, err := exec.LookPath("temporal"); err == nil {
		return p, nil
	}
	return "", errors.New("Temporal's CLI was not found: run `make run` (it builds bin/temporal), set DSR_TEMPORAL_CLI, or set DSR_TEMPORAL_ADDRESS to use a running Temporal")
}

func portFree(port int, setting string) error {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("port %d is already in use (%s): stop the program using it (perhaps another `dsr dev`) or choose another port", port, setting)
	}
	return l.Close()
}
