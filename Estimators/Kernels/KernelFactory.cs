namespace MlNetRnn.Kernels;

/// <summary>Creates the kernel a model runs on.</summary>
public static class KernelFactory
{
    public static ISequenceKernel Create(KernelKind kind, int threads) => kind switch
    {
        KernelKind.Reference => ReferenceKernel.Instance,
        KernelKind.Native => new NativeKernel(threads),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Expected Native or Reference."),
    };
}
