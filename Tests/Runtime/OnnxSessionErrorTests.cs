using Google.Protobuf;
using MlNetRnn.Kernels;
using MlNetRnn.OnnxExport.Runtime;

namespace MlNetRnn.Tests.Runtime;

/// <summary>Bad models, bad inputs and misuse: ORT's own errors carry its code and message; the binding's checks name what is wrong.</summary>
public class OnnxSessionErrorTests
{
    private static readonly RecurrentDescriptor Gru = new(RecurrentCell.Gru, inputSize: 4, hiddenSize: 3);

    [Fact]
    public void BadModelBytesGiveOrtsErrorCodeAndMessage()
    {
        var garbage = "this is not an ONNX model"u8.ToArray();
        var error = Assert.Throws<OnnxRuntimeException>(() => OnnxSession.FromBytes(garbage));
        Assert.Equal(OnnxRuntimeErrorCode.InvalidProtobuf, error.ErrorCode);
        Assert.False(string.IsNullOrWhiteSpace(error.NativeMessage));
        Assert.Contains(error.NativeMessage, error.Message);
        Assert.Contains("creating a session from model bytes", error.Message);
    }

    [Fact]
    public void InvalidGraphGivesOrtsError()
    {
        var model = TestModels.Recurrent(Gru);
        model.Graph.Node[0].OpType = "NoSuchOperator";
        var error = Assert.Throws<OnnxRuntimeException>(() => OnnxSession.FromBytes(model.ToByteArray()));
        Assert.Contains("NoSuchOperator", error.NativeMessage);
    }

    [Fact]
    public void MissingModelFileIsNamed()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.onnx");
        var error = Assert.Throws<FileNotFoundException>(() => OnnxSession.FromFile(path));
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void EmptyModelBytesAreRejected() =>
        Assert.Throws<ArgumentException>(() => OnnxSession.FromBytes(ReadOnlySpan<byte>.Empty));

    [Fact]
    public void UnknownInputNameListsTheModelsInputs()
    {
        var (session, inputs) = GruSession();
        using (session)
        {
            inputs[0] = OnnxRuntimeTensor.FromFloats("x", inputs[0].Floats, inputs[0].Shape.ToArray());
            var error = Assert.Throws<ArgumentException>(() => session.Run(inputs));
            Assert.Contains("'x' is not an input", error.Message);
            Assert.Contains("X: Float[T, B, 4]", error.Message);
        }
    }

    [Fact]
    public void WrongElementTypeNamesExpectedAndActual()
    {
        var (session, inputs) = GruSession();
        using (session)
        {
            inputs[4] = OnnxRuntimeTensor.FromInt64s("sequence_lens", new long[] { 2, 1 }, 2);
            var error = Assert.Throws<ArgumentException>(() => session.Run(inputs));
            Assert.Contains("'sequence_lens' must hold Int32, got Int64", error.Message);
        }
    }

    [Fact]
    public void WrongShapeNamesExpectedAndActual()
    {
        var (session, inputs) = GruSession();
        using (session)
        {
            inputs[1] = OnnxRuntimeTensor.FromFloats("W", new float[9 * 5], 1, 9, 5);
            var error = Assert.Throws<ArgumentException>(() => session.Run(inputs));
            Assert.Contains("'W' must have shape [1, 9, 4] (rank 3), got [1, 9, 5]", error.Message);

            inputs[1] = OnnxRuntimeTensor.FromFloats("W", new float[36], 9, 4);
            error = Assert.Throws<ArgumentException>(() => session.Run(inputs));
            Assert.Contains("got [9, 4]", error.Message);
        }
    }

    [Fact]
    public void MissingAndRepeatedInputsAreNamed()
    {
        var (session, inputs) = GruSession();
        using (session)
        {
            var error = Assert.Throws<ArgumentException>(() => session.Run(inputs[..5]));
            Assert.Contains("Missing input(s)", error.Message);
            Assert.Contains("initial_h", error.Message);

            error = Assert.Throws<ArgumentException>(() => session.Run([.. inputs, inputs[0]]));
            Assert.Contains("'X' is given more than once", error.Message);
        }
    }

    [Fact]
    public void UnknownOutputNameListsTheModelsOutputs()
    {
        var (session, inputs) = GruSession();
        using (session)
        {
            var error = Assert.Throws<ArgumentException>(() => session.Run(inputs, ["Y_c"]));
            Assert.Contains("'Y_c' is not an output", error.Message);
            Assert.Contains("Y_h", error.Message);
            Assert.Throws<ArgumentException>(() => session.Run(inputs, []));
        }
    }

    [Fact]
    public void TensorShapeMustMatchItsData()
    {
        var error = Assert.Throws<ArgumentException>(() => OnnxRuntimeTensor.FromFloats("X", new float[5], 2, 3));
        Assert.Contains("shape [2, 3] needs 6 values, the data holds 5", error.Message);
        Assert.Throws<ArgumentException>(() => OnnxRuntimeTensor.FromFloats("X", new float[0], -1));
        Assert.Throws<InvalidOperationException>(() => OnnxRuntimeTensor.FromFloats("X", new float[1], 1).Int64s);
    }

    [Fact]
    public void RunningADisposedSessionThrows()
    {
        var (session, inputs) = GruSession();
        session.Dispose();
        Assert.Throws<ObjectDisposedException>(() => session.Run(inputs));
    }

    [Fact]
    public void InvalidOptionsNameTheSetting()
    {
        var model = TestModels.Recurrent(Gru).ToByteArray();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => OnnxSession.FromBytes(model, new OnnxSessionOptions { IntraOpThreads = -1 }));
        Assert.Equal("IntraOpThreads", error.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxSession.FromBytes(model, new OnnxSessionOptions { GraphOptimizationLevel = (OnnxGraphOptimizationLevel)5 }));
    }

    [Fact]
    public void SessionOptionsAreAccepted()
    {
        var c = new RecurrentCase(Gru, 4, [4, 2], seed: 9);
        var options = new OnnxSessionOptions
        {
            IntraOpThreads = 1,
            InterOpThreads = 1,
            GraphOptimizationLevel = OnnxGraphOptimizationLevel.DisableAll,
            ExecutionMode = OnnxExecutionMode.Parallel,
            LogLevel = OnnxRuntimeLogLevel.Error,
        };
        using var tuned = OnnxSession.FromBytes(TestModels.Recurrent(Gru).ToByteArray(), options);
        using var plain = c.CreateSession();
        Assert.Equal(c.RunOnnxRuntime(plain).Y, c.RunOnnxRuntime(tuned).Y);
    }

    private static (OnnxSession Session, OnnxRuntimeTensor[] Inputs) GruSession()
    {
        var c = new RecurrentCase(Gru, 3, [3, 1], seed: 1);
        return (c.CreateSession(), c.Inputs());
    }
}
