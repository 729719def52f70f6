package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/dsrcase/dsr/models"
)

// runDevSeed fills the configured database with synthetic cases for load
// tests: `dsr dev-seed --cases 1000000`.
func runDevSeed(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("dev-seed", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	n := fs.Int("cases", 1000, "how many synthetic cases to add")
	seed := fs.Uint64("seed", 1, "random seed, for repeatable data")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	if *n < 1 || *n > 100_000_000 {
		return usageError("--cases must be from 1 to 100000000")
	}
	ctx := context.Background()
	db, err := openConfiguredDB(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := models.SeedCases(ctx, db, *n, *seed, time.Now()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "added %d synthetic cases in %s\n", *n, time.Since(start).Round(time.Second))
	return nil
}
