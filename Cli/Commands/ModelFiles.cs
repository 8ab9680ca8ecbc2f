using MlNetRnn.OnnxExport.Runtime;

namespace MlNetRnn.Cli.Commands;

/// <summary>The two kinds of model file the commands take: an MlNetRnn model (.mlnr, a zip archive) and an ONNX file.</summary>
internal static class ModelFiles
{
    /// <summary>An MlNetRnn model file: a zip archive (it starts with "PK"), where an ONNX file is a protobuf message.</summary>
    public static bool IsModelFile(string path)
    {
        CommonOptions.ExistingFile(path, "model file");
        Span<byte> head = stackalloc byte[2];
        using var file = File.OpenRead(path);
        return file.ReadAtLeast(head, 2, throwOnEndOfStream: false) == 2 && head[0] == (byte)'P' && head[1] == (byte)'K';
    }

    /// <summary>A file's size for people: "812.4 kB", "3.1 MB".</summary>
    public static string Size(string path)
    {
        var bytes = new FileInfo(path).Length;
        return bytes >= 1_000_000 ? $"{bytes / 1e6:F1} MB" : $"{bytes / 1e3:F1} kB";
    }

    /// <summary>A .mlnr model on the native kernel with this many threads (0: all cores).</summary>
    public static SequenceModel LoadNative(string path, int threads)
    {
        var model = SequenceModel.Load(path);
        model.UseKernel(KernelKind.Native, threads > 0 ? threads : Environment.ProcessorCount);
        return model;
    }

    /// <summary>An ONNX file exported by MlNetRnn in ONNX Runtime; a CPU fallback is reported on standard error.</summary>
    public static OnnxSequencePredictor LoadOnnx(string path, CliContext context, OnnxExecutionProvider provider = OnnxExecutionProvider.Cpu,
        bool allowCpuFallback = false, int threads = 0)
    {
        var predictor = OnnxSequencePredictor.Load(path, new OnnxSessionOptions
        {
            ExecutionProvider = provider,
            AllowCpuFallback = allowCpuFallback,
            IntraOpThreads = threads,
            LogLevel = Microsoft.ML.OnnxRuntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
        });
        if (predictor.Session.FallbackReason is { } reason)
            context.Error.WriteLine($"mlnetrnn: running on the CPU: {reason}");
        return predictor;
    }
}
