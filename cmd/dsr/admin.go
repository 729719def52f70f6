package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
	"gorm.io/gorm"

	"github.com/dsrcase/dsr/config"
	"github.com/dsrcase/dsr/models"
)

// openConfiguredDB loads the settings and opens and migrates the database,
// for the administration commands.
func openConfiguredDB(ctx context.Context) (*gorm.DB, error) {
	cfg, err := config.Load()
	if err != nil {
		return nil, err
	}
	return openDB(ctx, cfg)
}

// openDB opens and migrates the configured database: for `dsr dev` and the
// administration commands, which run on one machine.
func openDB(ctx context.Context, cfg config.Config) (*gorm.DB, error) {
	db, err := models.Open(cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if _, err := models.Migrate(ctx, db); err != nil {
		return nil, err
	}
	return db, nil
}

// openCurrentDB opens the database for `dsr web` and `dsr worker`, which do
// not migrate (a release runs `dsr migrate` once) but refuse an old schema.
func openCurrentDB(ctx context.Context, cfg config.Config) (*gorm.DB, error) {
	db, err := models.Open(cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	pending, err := models.Pending(ctx, db)
	if err != nil {
		return nil, err
	}
	if len(pending) > 0 {
		return nil, fmt.Errorf("the database lacks %d migration(s) (first: %04d): run `dsr migrate` first", len(pending), pending[0])
	}
	return db, nil
}

func runMigrate(args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return usageError("migrate takes no arguments")
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	db, err := models.Open(cfg.DatabaseURL)
	if err != nil {
		return err
	}
	applied, err := models.Migrate(context.Background(), db)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "database is up to date")
	}
	for _, v := range applied {
		fmt.Fprintf(stdout, "applied migration %04d\n", v)
	}
	return nil
}

func runUser(args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return usageError("usage: dsr user add --email E --role handler|manager|admin [--password-stdin]")
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	email := fs.String("email", "", "the user's email address")
	role := fs.String("role", "", "handler, manager or admin")
	fromStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError(err.Error())
	}
	if *email == "" || *role == "" {
		return usageError("--email and --role are required")
	}
	if !models.Role(*role).Valid() {
		return usageError(fmt.Sprintf("--role %q must be handler, manager or admin", *role))
	}
	password, err := readPassword(stdin, *fromStdin)
	if err != nil {
		return err
	}
	db, err := openConfiguredDB(context.Background())
	if err != nil {
		return err
	}
	u, err := models.CreateUser(context.Background(), db, *email, models.Role(*role), password)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s %s\n", u.Role, u.Email)
	return nil
}

// readPassword reads a password from stdin (--password-stdin) or asks for
// it twice on the terminal without echo.
func readPassword(stdin io.Reader, fromStdin bool) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read password: %w", err)
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return "", usageError("standard input is not a terminal: pass --password-stdin and pipe the password in")
	}
	fmt.Fprintf(os.Stderr, "Password (at least %d characters): ", models.MinPasswordLength)
	first, err := term.ReadPassword(fd)
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return "", err
	}
	fmt.Fprint(os.Stderr, "Again: ")
	second, err := term.ReadPassword(fd)
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return "", err
	}
	if string(first) != string(second) {
		return "", errors.New("the two passwords differ")
	}
	return string(first), nil
}

func runToken(args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError("usage: dsr token create --user EMAIL")
	}
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	email := fs.String("user", "", "the user the token acts as")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError(err.Error())
	}
	if *email == "" {
		return usageError("--user is required")
	}
	db, err := openConfiguredDB(context.Background())
	if err != nil {
		return err
	}
	u, err := models.UserByEmail(context.Background(), db, *email)
	if errors.Is(err, models.ErrNotFound) {
		return fmt.Errorf("no user with email %s (create one with dsr user add)", *email)
	}
	if err != nil {
		return err
	}
	token, err := models.CreateAPIToken(context.Background(), db, u.ID)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, token)
	return nil
}
