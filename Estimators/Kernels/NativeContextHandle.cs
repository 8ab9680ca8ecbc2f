using System.Runtime.InteropServices;

namespace MlNetRnn.Kernels;

/// <summary>Owns one native mlnr_context (its worker threads and scratch memory).</summary>
internal sealed class NativeContextHandle : SafeHandle
{
    public NativeContextHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    public static NativeContextHandle Create(int threads)
    {
        NativeLibraryLoader.EnsureLoaded();
        NativeKernelException.ThrowIfFailed(NativeMethods.ContextCreate(threads, out var pointer), "mlnr_context_create");
        var result = new NativeContextHandle();
        result.SetHandle(pointer);
        return result;
    }

    protected override bool ReleaseHandle() => NativeMethods.ContextDestroy(handle) == 0;
}
