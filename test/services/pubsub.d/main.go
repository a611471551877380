// Command pubsub-fake serves Google's in-memory Pub/Sub fake (pstest) on a loopback
// address, for tests and local runs; test/services/pubsub builds and drives it.
//
//	pubsub-fake -addr 127.0.0.1:18085   serve until SIGTERM/SIGINT, print "ready <addr>" once listening
//	pubsub-fake -check 127.0.0.1:18085  one real gRPC call (Publisher.ListTopics); exit 0 when it answers
//
// The official emulator (gcloud beta emulators pubsub) needs a download this machine cannot make;
// pstest speaks the same gRPC API, which is all a client behind PUBSUB_EMULATOR_HOST uses.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"cloud.google.com/go/pubsub/v2/pstest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18085", "loopback host:port to serve on")
	check := flag.String("check", "", "host:port of a running server: make one gRPC call and exit 0 if it answers")
	timeout := flag.Duration("timeout", 2*time.Second, "deadline of the -check call")
	flag.Parse()

	if *check != "" {
		if err := probe(*check, *timeout); err != nil {
			fmt.Fprintf(os.Stderr, "pubsub-fake: check %s: %v\n", *check, err)
			os.Exit(1)
		}
		return
	}
	if err := serve(*addr); err != nil {
		fmt.Fprintf(os.Stderr, "pubsub-fake: %v\n", err)
		os.Exit(1)
	}
}

func serve(addr string) (err error) {
	// pstest panics when it cannot listen (port taken); turn that into an error and exit code 1.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cannot serve on %s: %v", addr, r)
		}
	}()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)

	srv := pstest.NewServerWithAddress(addr)
	fmt.Printf("ready %s\n", srv.Addr)

	sig := <-sigs
	fmt.Printf("stopping on %s\n", sig)
	return srv.Close()
}

func probe(addr string, timeout time.Duration) error {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	_, err = pubsubpb.NewPublisherClient(conn).ListTopics(ctx, &pubsubpb.ListTopicsRequest{Project: "projects/readiness-check"})
	return err
}
