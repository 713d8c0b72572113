// Command kube is one multi-call binary holding the Kubernetes node and control-plane
// components the test cluster needs. Linking five separate binaries would repeat most of
// the link work five times (they share ~90% of their packages), which dominates a cold build
// on a 2-core machine; one binary links once.
//
// It dispatches on the name it was started under (symlinks kube-apiserver, kubelet, ...
// pointing at it) or, failing that, on its first argument: `kube kubelet --config ...`.
//
// cri-cleanup is ours, not Kubernetes': it stops and removes every pod sandbox through the
// CRI so that containerd also tears down each pod's network (veth, IPAM lease, iptables
// rules) before the cluster is stopped. Killing containers behind containerd's back would
// leak those.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // CronJob time zones, as in the upstream mains

	"github.com/spf13/cobra"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	criclient "k8s.io/cri-client/pkg"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	proxy "k8s.io/kubernetes/cmd/kube-proxy/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
	kubelet "k8s.io/kubernetes/cmd/kubelet/app"
)

var commands = map[string]func() *cobra.Command{
	"kube-apiserver":          apiserver.NewAPIServerCommand,
	"kube-controller-manager": controllermanager.NewControllerManagerCommand,
	"kube-scheduler":          func() *cobra.Command { return scheduler.NewSchedulerCommand() },
	"kubelet":                 kubelet.NewKubeletCommand,
	"kube-proxy":              proxy.NewProxyCommand,
	"cri-cleanup":             newCRICleanupCommand,
}

func main() {
	name := filepath.Base(os.Args[0])
	if _, ok := commands[name]; !ok && len(os.Args) > 1 {
		name = os.Args[1]
		os.Args = append([]string{name}, os.Args[2:]...)
	}
	newCommand, ok := commands[name]
	if !ok {
		names := make([]string, 0, len(commands))
		for n := range commands {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(os.Stderr, "usage: kube {%s} [flags]\n", strings.Join(names, "|"))
		os.Exit(2)
	}
	os.Exit(cli.Run(newCommand()))
}

func newCRICleanupCommand() *cobra.Command {
	var endpoint string
	cmd := &cobra.Command{
		Use:   "cri-cleanup",
		Short: "Stop and remove every pod sandbox known to a CRI runtime",
		RunE: func(cmd *cobra.Command, _ []string) error {
			runtime, err := criclient.NewRemoteRuntimeService(endpoint, 10*time.Second, nil, nil)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			sandboxes, err := runtime.ListPodSandbox(ctx, nil)
			if err != nil {
				return err
			}
			failed := 0
			for _, sb := range sandboxes {
				// Stop first: it is the call that runs the CNI DEL; remove alone may skip it
				// on older runtimes when the sandbox is still running.
				if err := runtime.StopPodSandbox(ctx, sb.Id); err != nil {
					fmt.Fprintf(os.Stderr, "stop %s/%s: %v\n", sb.Metadata.Namespace, sb.Metadata.Name, err)
				}
				if err := runtime.RemovePodSandbox(ctx, sb.Id); err != nil {
					fmt.Fprintf(os.Stderr, "remove %s/%s: %v\n", sb.Metadata.Namespace, sb.Metadata.Name, err)
					failed++
				}
			}
			fmt.Printf("removed %d of %d pod sandboxes\n", len(sandboxes)-failed, len(sandboxes))
			if failed > 0 {
				return fmt.Errorf("%d sandboxes could not be removed", failed)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&endpoint, "runtime-endpoint", "", "CRI endpoint, e.g. unix:///run/containerd/containerd.sock")
	_ = cmd.MarkFlagRequired("runtime-endpoint")
	return cmd
}
