// Command dsr is the one binary of the product: `dsr dev` runs everything
// on one machine; `web`, `worker` and `migrate` are the production
// processes; `user`, `token` and `deadline` are tools for administrators.
package main

import (
	"fmt"
	"io"
	"os"
)

const usage = `usage: dsr <command> [flags]

commands:
  dev                      run everything on this machine (Temporal dev server, worker, web)
  web                      run the web app (production)
  worker                   run the Temporal worker (production)
  migrate                  apply database migrations
  user add --email E --role handler|manager|admin [--password-stdin]
  token create --user E    print a new API token for a user
  deadline ...             compute legal deadlines (dsr deadline --help)
  dev-seed --cases N       add N synthetic cases (load tests; no workflows)

Settings come from DSR_* environment variables; see the README.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "dev":
		err = runDev(rest)
	case "web":
		err = runWeb(rest)
	case "worker":
		err = runWorker(rest)
	case "migrate":
		err = runMigrate(rest, stdout)
	case "user":
		err = runUser(rest, stdin, stdout)
	case "token":
		err = runToken(rest, stdout)
	case "deadline":
		return runDeadline(rest, stdout, stderr)
	case "dev-seed":
		err = runDevSeed(rest, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "dsr: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "dsr %s: %v\n", cmd, err)
		if _, ok := err.(usageError); ok {
			return 2
		}
		return 1
	}
	return 0
}

// usageError is a mistake in the command line (exit status 2).
type usageError string

func (e usageError) Error() string { return string(e) }
