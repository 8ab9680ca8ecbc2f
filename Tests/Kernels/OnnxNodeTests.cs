using MlNetRnn.Kernels;
using MlNetRnn.OnnxExport.Onnx;

namespace MlNetRnn.Tests.Kernels;

/// <summary>ONNX's own GRU/LSTM/RNN node tests (Debian libonnx-testdata) through each kernel.</summary>
public class OnnxNodeTests
{
    public const string NodeTestRoot = "/usr/share/libonnx-testdata/data/node";

    public static readonly string[] Cases =
    [
        "test_gru_batchwise", "test_gru_defaults", "test_gru_seq_length", "test_gru_with_initial_bias",
        "test_lstm_batchwise", "test_lstm_defaults", "test_lstm_with_initial_bias", "test_lstm_with_peepholes",
        "test_rnn_seq_length", "test_simple_rnn_batchwise", "test_simple_rnn_defaults", "test_simple_rnn_with_initial_bias",
    ];

    public static TheoryData<string> CaseNames => new(Cases);

    internal static OnnxNodeTestCase LoadCase(string name)
    {
        var dir = Path.Combine(NodeTestRoot, name);
        Assert.True(Directory.Exists(dir), $"{dir} is missing: install Debian's libonnx-testdata (scripts/setup.sh does).");
        return OnnxNodeTestCase.Load(dir);
    }

    internal static void AssertPassed(OnnxNodeTestResult result)
    {
        var report = string.Join("\n", result.Outputs.Select(o =>
            $"{o.Name}: max |diff| {o.MaxAbsDifference:G3} at index {o.WorstIndex}{(o.Problem is null ? "" : " (" + o.Problem + ")")}"));
        Assert.True(result.Passed, $"{result.CaseName} failed:\n{report}");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void ReferenceKernelMatchesOnnx(string name) =>
        AssertPassed(OnnxNodeTestRunner.Run(LoadCase(name), ReferenceKernel.Instance));
}
