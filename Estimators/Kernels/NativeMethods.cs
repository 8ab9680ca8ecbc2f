using System.Runtime.InteropServices;

namespace MlNetRnn.Kernels;

/// <summary>
/// The managed mirror of Native/include/mlnetrnn.h, one entry per export. Structs match the C layout field for field.
/// Every call returns a status that <see cref="NativeKernelException.ThrowIfFailed"/> checks.
/// </summary>
internal static unsafe partial class NativeMethods
{
    public const string Library = "mlnetrnn_native";

    /// <summary>MLNR_ABI_VERSION the binding was written for; the library must report the same.</summary>
    public const int AbiVersion = 6;

    /// <summary>MLNR_MAX_THREADS: the most threads a context runs on.</summary>
    public const int MaxThreads = 256;

    [StructLayout(LayoutKind.Sequential)]
    public struct ActivationDesc
    {
        public int Kind;
        public float Alpha;
        public float Beta;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct RnnDesc
    {
        public int Cell;
        public int Direction;
        public int InputSize;
        public int HiddenSize;
        public int LinearBeforeReset;
        public int InputForget;
        public float Clip;
        public ActivationDesc Activation0;
        public ActivationDesc Activation1;
        public ActivationDesc Activation2;
        public ActivationDesc Activation3;
        public ActivationDesc Activation4;
        public ActivationDesc Activation5;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct AdamStepDesc
    {
        public float Beta1;
        public float Beta2;
        public float Epsilon;
        public float StepSize;
        public float Correction2;
        public float Decay;
    }

    [LibraryImport(Library, EntryPoint = "mlnr_abi_version")]
    public static partial int AbiVersionOfLibrary();

    [LibraryImport(Library, EntryPoint = "mlnr_last_error")]
    public static partial nint LastError();

    [LibraryImport(Library, EntryPoint = "mlnr_kernel_isa")]
    public static partial int KernelIsa(out nint name);

    [LibraryImport(Library, EntryPoint = "mlnr_context_create")]
    public static partial int ContextCreate(int threads, out nint context);

    [LibraryImport(Library, EntryPoint = "mlnr_context_destroy")]
    public static partial int ContextDestroy(nint context);

    [LibraryImport(Library, EntryPoint = "mlnr_context_set_isa", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ContextSetIsa(NativeContextHandle context, string? name);

    [LibraryImport(Library, EntryPoint = "mlnr_context_isa")]
    public static partial int ContextIsa(NativeContextHandle context, out nint name);

    [LibraryImport(Library, EntryPoint = "mlnr_context_set_chunk_rows")]
    public static partial int ContextSetChunkRows(NativeContextHandle context, long rows);

    [LibraryImport(Library, EntryPoint = "mlnr_rnn_reserve_size")]
    public static partial int RnnReserveSize(in RnnDesc desc, int seqLength, int batch, out long floats);

    [LibraryImport(Library, EntryPoint = "mlnr_rnn_forward")]
    public static partial int RnnForward(NativeContextHandle context, in RnnDesc desc, int seqLength, int batch,
        float* x, float* w, float* r, float* bias, int* sequenceLens, float* initialH, float* initialC, float* p,
        float* y, float* yH, float* yC, float* reserve);

    [LibraryImport(Library, EntryPoint = "mlnr_rnn_forward_table")]
    public static partial int RnnForwardTable(NativeContextHandle context, in RnnDesc desc, int seqLength, int batch,
        float* table, int vocabulary, int* ids, float* r, float* bias, int* sequenceLens, float* initialH, float* initialC,
        float* p, float* y, float* yH, float* yC);

    [LibraryImport(Library, EntryPoint = "mlnr_rnn_backward")]
    public static partial int RnnBackward(NativeContextHandle context, in RnnDesc desc, int seqLength, int batch,
        float* x, float* w, float* r, float* bias, int* sequenceLens, float* initialH, float* initialC, float* p,
        float* reserve, float* dy, float* dyH, float* dyC,
        float* dx, float* dw, float* dr, float* dbias, float* dp, float* dinitialH, float* dinitialC);

    [LibraryImport(Library, EntryPoint = "mlnr_activation_apply")]
    public static partial int ActivationApply(NativeContextHandle context, in ActivationDesc f, float* x, int n);

    [LibraryImport(Library, EntryPoint = "mlnr_gemm")]
    public static partial int Gemm(NativeContextHandle context, int transA, int transB, int m, int n, int k, float alpha,
        float* a, int lda, long aLength, float* b, int ldb, long bLength, float beta, float* c, int ldc, long cLength);

    [LibraryImport(Library, EntryPoint = "mlnr_embedding_forward")]
    public static partial int EmbeddingForward(NativeContextHandle context, float* table, int vocabulary, int size,
        int* ids, int* sequenceLens, int seqLength, int batch, float* output);

    [LibraryImport(Library, EntryPoint = "mlnr_embedding_backward")]
    public static partial int EmbeddingBackward(NativeContextHandle context, float* dtable, int vocabulary, int size,
        int* ids, int* sequenceLens, int seqLength, int batch, float* doutput);

    [LibraryImport(Library, EntryPoint = "mlnr_adam_update")]
    public static partial int AdamUpdate(NativeContextHandle context, long count, in AdamStepDesc step, float* w, float* g,
        float* m, float* v);

    [LibraryImport(Library, EntryPoint = "mlnr_sgd_update")]
    public static partial int SgdUpdate(NativeContextHandle context, long count, float learningRate, float momentum,
        int nesterov, float* w, float* g, float* velocity);
}
