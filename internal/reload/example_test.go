package reload_test

import (
	"context"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/anode-go/anode/internal/reload"
)

// The supervisor side of `serve --reload`: it owns the socket and runs `app serve`.
func ExampleSupervise() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	l, err := net.Listen("tcp", "127.0.0.1:8000")
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	err = reload.Supervise(ctx, reload.Options{
		Listener: l,
		Package:  "./cmd/app",
		Args:     []string{"serve"},
	})
	if err != nil {
		log.Fatal(err)
	}
}

// The child side: serve on the inherited socket, report ready, drain on SIGTERM.
func ExampleListener() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	l, ok, err := reload.Listener()
	if err != nil {
		log.Fatal(err)
	}
	if !ok { // not under a supervisor
		if l, err = net.Listen("tcp", "127.0.0.1:8000"); err != nil {
			log.Fatal(err)
		}
	}
	srv := &http.Server{Handler: http.NotFoundHandler()}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	if err := reload.Ready(); err != nil {
		log.Fatal(err)
	}
	select {
	case err := <-served:
		log.Fatal(err)
	case <-ctx.Done():
	}
	// The supervisor's SIGTERM: finish the requests in flight, accept no more.
	if err := srv.Shutdown(context.Background()); err != nil {
		log.Fatal(err)
	}
}
