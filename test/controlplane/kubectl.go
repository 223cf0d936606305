// kubectl of the same release as the API server, as in the old hyperkube binary.
package main

import (
	"os"
	"path/filepath"

	"k8s.io/component-base/cli"
	"k8s.io/component-base/logs"
	"k8s.io/kubectl/pkg/cmd"
	"k8s.io/kubectl/pkg/cmd/util"
)

// kubectlArgs tells whether this run is kubectl's, and returns os.Args as kubectl
// expects them: by the program's name (a symlink named kubectl) or its first argument.
func kubectlArgs(args []string) ([]string, bool) {
	if filepath.Base(args[0]) == "kubectl" {
		return args, true
	}
	if len(args) > 1 && args[1] == "kubectl" {
		return append([]string{"kubectl"}, args[2:]...), true
	}
	return nil, false
}

func runKubectl(args []string) {
	os.Args = args
	_, _ = logs.GlogSetter(cmd.GetLogVerbosity(args))
	command := cmd.NewDefaultKubectlCommand()
	if err := cli.RunNoErrOutput(command); err != nil {
		util.CheckErr(err)
	}
}
