// sp-node-tools: one static binary, the only program in the test node's infrastructure image.
//
//	pause                        the pod sandbox's process: sleeps until SIGTERM/SIGINT, reaps orphans
//	probe [--resolve NAME]... [--connect HOST:PORT]... [--http URL]... [--deadline 90s]
//	                             retries every check until all pass (exit 0) or the deadline (exit 1)
//	serve [--port 8080]          answers every HTTP request with "ok <hostname>"
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	command := "pause"
	if len(os.Args) > 1 {
		command = os.Args[1]
	}
	var err error
	switch command {
	case "pause":
		pause()
	case "probe":
		err = probe(os.Args[2:])
	case "serve":
		err = serve(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q (pause, probe, serve)", command)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func pause() {
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)
	for s := range signals {
		if s != syscall.SIGCHLD {
			return
		}
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

func probe(args []string) error {
	flags := flag.NewFlagSet("probe", flag.ContinueOnError)
	var names, addresses, urls list
	flags.Var(&names, "resolve", "a DNS name that must resolve (repeatable)")
	flags.Var(&addresses, "connect", "a HOST:PORT that must accept a TCP connection (repeatable)")
	flags.Var(&urls, "http", "a URL that must answer 2xx (repeatable)")
	deadline := flags.Duration("deadline", 90*time.Second, "give up after this long")
	if err := flags.Parse(args); err != nil {
		return err
	}
	type check struct {
		name string
		run  func(context.Context) (string, error)
	}
	var checks []check
	for _, name := range names {
		checks = append(checks, check{"resolve " + name, func(ctx context.Context) (string, error) {
			ips, err := net.DefaultResolver.LookupHost(ctx, name)
			return strings.Join(ips, ","), err
		}})
	}
	for _, address := range addresses {
		checks = append(checks, check{"connect " + address, func(ctx context.Context) (string, error) {
			conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", address)
			if err != nil {
				return "", err
			}
			defer conn.Close()
			return "from " + conn.LocalAddr().String(), nil
		}})
	}
	for _, url := range urls {
		checks = append(checks, check{"http " + url, func(ctx context.Context) (string, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				return "", err
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				return "", err
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(io.LimitReader(res.Body, 512))
			if res.StatusCode/100 != 2 {
				return "", fmt.Errorf("status %d", res.StatusCode)
			}
			return strings.TrimSpace(string(body)), nil
		}})
	}
	if len(checks) == 0 {
		return fmt.Errorf("probe: nothing to check (give --resolve, --connect or --http)")
	}
	end := time.Now().Add(*deadline)
	for _, c := range checks {
		name := c.name
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			result, err := c.run(ctx)
			cancel()
			if err == nil {
				fmt.Printf("ok %s: %s\n", name, result)
				break
			}
			fmt.Printf("waiting: %s: %v\n", name, err)
			if time.Now().After(end) {
				return fmt.Errorf("probe failed after %s: %s: %v", *deadline, name, err)
			}
			time.Sleep(time.Second)
		}
	}
	return nil
}

func serve(args []string) error {
	flags := flag.NewFlagSet("serve", flag.ContinueOnError)
	port := flags.Int("port", 8080, "TCP port")
	if err := flags.Parse(args); err != nil {
		return err
	}
	hostname, _ := os.Hostname()
	server := &http.Server{
		Addr:              fmt.Sprintf(":%d", *port),
		ReadHeaderTimeout: 5 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprintf(w, "ok %s\n", hostname)
		}),
	}
	go func() {
		signals := make(chan os.Signal, 1)
		signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
		<-signals
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = server.Shutdown(ctx)
	}()
	if err := server.ListenAndServe(); err != http.ErrServerClosed {
		return err
	}
	return nil
}
