using Google.Protobuf;
using MlNetRnn.Kernels;
using MlNetRnn.OnnxExport.Runtime;

namespace MlNetRnn.Tests.Runtime;

/// <summary>
/// The CUDA provider's error paths on a machine without it, against the CPU install the tests use
/// (onnxruntime-node's core library, which lists CUDAExecutionProvider but has no provider libraries beside it):
/// the error names what is missing, and the CPU fallback happens only when asked for and is reported.
/// </summary>
public class OnnxCudaProviderTests
{
    private static readonly RecurrentDescriptor Gru = new(RecurrentCell.Gru, inputSize: 4, hiddenSize: 3, RecurrentDirection.Bidirectional);

    private static OnnxSessionOptions Cuda(bool fallback, OnnxRuntimeLibrary? library = null) => new()
    {
        ExecutionProvider = OnnxExecutionProvider.Cuda,
        Cuda = new OnnxCudaOptions { DeviceId = 0, ProviderOptions = new Dictionary<string, string> { ["arena_extend_strategy"] = "kSameAsRequested" } },
        AllowCpuFallback = fallback,
        Library = library ?? OnnxRuntimeLibrary.Default,
    };

    [Fact]
    public void MissingProviderLibrariesAreNamed()
    {
        var library = OnnxRuntimeLibrary.Default;
        Assert.Contains("CUDAExecutionProvider", library.AvailableProviders);
        var model = TestModels.Recurrent(Gru).ToByteArray();
        var error = Assert.Throws<OnnxExecutionProviderException>(() => OnnxSession.FromBytes(model, Cuda(fallback: false)));
        Assert.Equal(OnnxExecutionProvider.Cuda, error.Provider);
        Assert.Contains("libonnxruntime_providers_cuda.so", error.Message);
        Assert.Contains("libonnxruntime_providers_shared.so", error.Message);
        Assert.Contains(Path.GetDirectoryName(library.Path)!, error.Message);
        Assert.Contains("scripts/setup.sh --gpu", error.Message);
        Assert.NotNull(error.RuntimeError);
        Assert.Contains(error.RuntimeError!.NativeMessage, error.Message);
    }

    [Fact]
    public void ExplicitFallbackRunsOnCpuAndSaysWhy()
    {
        var c = new RecurrentCase(Gru, seqLength: 4, lengths: [4, 2, 3], seed: 4);
        var model = TestModels.Recurrent(Gru).ToByteArray();
        using var session = OnnxSession.FromBytes(model, Cuda(fallback: true));
        Assert.Equal(OnnxExecutionProvider.Cuda, session.RequestedExecutionProvider);
        Assert.Equal(OnnxExecutionProvider.Cpu, session.ExecutionProvider);
        Assert.NotNull(session.FallbackReason);
        Assert.Contains("libonnxruntime_providers_cuda.so", session.FallbackReason);

        using var cpu = c.CreateSession();
        Assert.Equal(c.RunOnnxRuntime(cpu).Y, c.RunOnnxRuntime(session).Y);
    }

    [Fact]
    public void ProviderLibrariesThatDoNotLoadNameCudaAndCudnn()
    {
        // A private copy of the core library with unloadable provider files beside it (a copy, not a link: the
        // loader would hand back the already-loaded library for the same file, and ORT looks beside that one).
        var folder = Directory.CreateTempSubdirectory("mlnetrnn-ort-cuda-").FullName;
        try
        {
            var platform = OnnxRuntimePlatform.Current;
            var core = Path.Combine(folder, Path.GetFileName(OnnxRuntimeLibrary.Default.Path));
            File.Copy(OnnxRuntimeLibrary.Default.Path, core);
            File.WriteAllText(Path.Combine(folder, platform.SharedProviderName), "not a shared library");
            File.WriteAllText(Path.Combine(folder, platform.CudaProviderName), "not a shared library");
            var library = OnnxRuntimeLibrary.Load(new OnnxRuntimeLibraryOptions { LibraryPath = core });
            Assert.NotSame(OnnxRuntimeLibrary.Default, library);

            var model = TestModels.Recurrent(Gru).ToByteArray();
            var error = Assert.Throws<OnnxExecutionProviderException>(() => OnnxSession.FromBytes(model, Cuda(fallback: false, library)));
            Assert.Contains("exist", error.Message);
            Assert.Contains("CUDA 13", error.Message);
            Assert.Contains("cuDNN 9", error.Message);
            Assert.Contains("libcuda.so.1", error.Message);
            Assert.NotNull(error.RuntimeError);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void FallbackIsRejectedWithoutCuda() =>
        Assert.Equal("AllowCpuFallback", Assert.Throws<ArgumentException>(() =>
            OnnxSession.FromBytes(TestModels.Recurrent(Gru).ToByteArray(), new OnnxSessionOptions { AllowCpuFallback = true })).ParamName);

    [Fact]
    public void InvalidCudaOptionsNameTheSetting()
    {
        var model = TestModels.Recurrent(Gru).ToByteArray();
        var negative = new OnnxSessionOptions
        {
            ExecutionProvider = OnnxExecutionProvider.Cuda,
            Cuda = new OnnxCudaOptions { DeviceId = -1 },
            Library = OnnxRuntimeLibrary.Default,
        };
        Assert.Equal("DeviceId", Assert.Throws<ArgumentOutOfRangeException>(() => OnnxSession.FromBytes(model, negative)).ParamName);
        var duplicated = new OnnxSessionOptions
        {
            ExecutionProvider = OnnxExecutionProvider.Cuda,
            Cuda = new OnnxCudaOptions { ProviderOptions = new Dictionary<string, string> { ["device_id"] = "1" } },
            Library = OnnxRuntimeLibrary.Default,
        };
        Assert.Contains("DeviceId", Assert.Throws<ArgumentException>(() => OnnxSession.FromBytes(model, duplicated)).Message);
    }
}
