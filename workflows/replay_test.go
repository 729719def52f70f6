package workflows_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/dsrcase/dsr/workflows"
)

// TestReplayRecordedHistories replays every recorded history in testdata
// against the current workflow code. A failure means a change is not
// deterministic for cases already running: guard it with
// workflow.GetVersion instead of changing the code in place.
//
// The histories are Temporal's JSON export (temporal workflow show -o json,
// or client.GetWorkflowHistory marshalled with protojson).
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	require.NoError(t, err)
	if len(files) == 0 {
		t.Fatal("no recorded workflow histories in workflows/testdata: record them by running the " +
			"integration test with DSR_RECORD_HISTORY=1 (it exports the histories of the cases it " +
			"runs there as Temporal JSON), then commit the files")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			replayer := worker.NewWorkflowReplayer()
			replayer.RegisterWorkflowWithOptions(workflows.CaseWorkflow, workflow.RegisterOptions{Name: workflows.CaseWorkflowName})
			replayer.RegisterWorkflowWithOptions(workflows.TaskWorkflow, workflow.RegisterOptions{Name: workflows.TaskWorkflowName})
			require.NoError(t, replayer.ReplayWorkflowHistoryFromJSONFile(nil, file))
		})
	}
}
