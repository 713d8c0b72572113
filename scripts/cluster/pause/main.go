// Command pause is the pod sandbox ("infra") container: it holds the pod's namespaces open
// and does nothing else until the runtime stops it. There is no image registry here, so the
// cluster builds this instead of pulling registry.k8s.io/pause.
//
// When a pod shares its PID namespace this is PID 1, so it also reaps orphaned children.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for sig := range signals {
		if sig != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
