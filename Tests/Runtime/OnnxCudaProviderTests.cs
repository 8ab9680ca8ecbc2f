using Google.Protobuf;
using MlNetRnn.Kernels;
using MlNetRnn.OnnxExport.Runtime;

namespace MlNetRnn.Tests.Runtime;

/// <summary>
/// The CUDA provider's error paths on the CPU package the tests run on (Microsoft.ML.OnnxRuntime, whose native library
/// is built without CUDA): the error names the package to add and the fallback option, and the CPU fallback happens
/// only when asked for and is reported. (The CUDA package's own failures, libraries missing on a machine without CUDA,
/// are checked by scripts/consumer-check.sh, which builds an application with Microsoft.ML.OnnxRuntime.Gpu.Linux.)
/// </summary>
public class OnnxCudaProviderTests
{
    private static readonly RecurrentDescriptor Gru = new(RecurrentCell.Gru, inputSize: 4, hiddenSize: 3, RecurrentDirection.Bidirectional);

    private static OnnxSessionOptions Cuda(bool fallback) => new()
    {
        ExecutionProvider = OnnxExecutionProvider.Cuda,
        Cuda = new OnnxCudaOptions { DeviceId = 0, ProviderOptions = new Dictionary<string, string> { ["arena_extend_strategy"] = "kSameAsRequested" } },
        AllowCpuFallback = fallback,
        IntraOpThreads = 1,
    };

    [Fact]
    public void CpuOnlyPackageNamesTheGpuPackageAndTheFallback()
    {
        Assert.DoesNotContain("CUDAExecutionProvider", OnnxRuntimeSession.AvailableProviders);
        var model = TestModels.Recurrent(Gru).ToByteArray();
        var error = Assert.Throws<OnnxExecutionProviderException>(() => OnnxRuntimeSession.FromBytes(model, Cuda(fallback: false)));
        Assert.Equal(OnnxExecutionProvider.Cuda, error.Provider);
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu.Linux", error.Message);
        Assert.Contains("CPU-only", error.Message);
        Assert.Contains("--cpu-fallback", error.Message);
        Assert.Contains(OnnxRuntimeSession.RuntimeVersion, error.Message);
    }

    [Fact]
    public void ExplicitFallbackRunsOnCpuAndSaysWhy()
    {
        var c = new RecurrentCase(Gru, seqLength: 4, lengths: [4, 2, 3], seed: 4);
        var model = TestModels.Recurrent(Gru).ToByteArray();
        using var session = OnnxRuntimeSession.FromBytes(model, Cuda(fallback: true));
        Assert.Equal(OnnxExecutionProvider.Cuda, session.RequestedExecutionProvider);
        Assert.Equal(OnnxExecutionProvider.Cpu, session.ExecutionProvider);
        Assert.NotNull(session.FallbackReason);
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu.Linux", session.FallbackReason);

        using var cpu = c.CreateSession();
        Assert.Equal(c.RunOnnxRuntime(cpu).Y, c.RunOnnxRuntime(session.Session).Y);
    }

    [Fact]
    public void FallbackIsRejectedWithoutCuda() =>
        Assert.Equal("AllowCpuFallback", Assert.Throws<ArgumentException>(() =>
            OnnxRuntimeSession.FromBytes(TestModels.Recurrent(Gru).ToByteArray(), new OnnxSessionOptions { AllowCpuFallback = true })).ParamName);

    [Fact]
    public void InvalidOptionsNameTheSetting()
    {
        var model = TestModels.Recurrent(Gru).ToByteArray();
        var negative = new OnnxSessionOptions { ExecutionProvider = OnnxExecutionProvider.Cuda, Cuda = new OnnxCudaOptions { DeviceId = -1 } };
        Assert.Equal("DeviceId", Assert.Throws<ArgumentOutOfRangeException>(() => OnnxRuntimeSession.FromBytes(model, negative)).ParamName);
        var duplicated = new OnnxSessionOptions
        {
            ExecutionProvider = OnnxExecutionProvider.Cuda,
            Cuda = new OnnxCudaOptions { ProviderOptions = new Dictionary<string, string> { ["device_id"] = "1" } },
        };
        Assert.Contains("DeviceId", Assert.Throws<ArgumentException>(() => OnnxRuntimeSession.FromBytes(model, duplicated)).Message);
        Assert.Equal("IntraOpThreads", Assert.Throws<ArgumentOutOfRangeException>(() =>
            OnnxRuntimeSession.FromBytes(model, new OnnxSessionOptions { IntraOpThreads = 100_000 })).ParamName);
    }

    [Fact]
    public void MissingModelFileIsNamed()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.onnx");
        Assert.Contains(path, Assert.Throws<FileNotFoundException>(() => OnnxRuntimeSession.FromFile(path)).Message);
    }

    [Fact]
    public void ElfDependenciesOfTheNativeLibraryAreRead()
    {
        var library = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libonnxruntime.so");
        Assert.True(File.Exists(library), library);
        Assert.Contains("libc.so.6", ElfDependencies.Needed(library));
        Assert.Empty(ElfDependencies.Needed(typeof(OnnxCudaProviderTests).Assembly.Location));
    }
}
