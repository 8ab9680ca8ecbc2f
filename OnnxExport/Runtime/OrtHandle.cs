using System.Runtime.InteropServices;

namespace MlNetRnn.OnnxExport.Runtime;

/// <summary>
/// Owns one ONNX Runtime object (OrtEnv, OrtSession, OrtValue, ...) and calls its <c>Release*</c> function exactly
/// once, when disposed or finalized and after every <see cref="Lease"/> has ended. Native calls go through a lease
/// so a concurrent <see cref="SafeHandle.Dispose()"/> cannot release the object under them.
/// </summary>
internal sealed unsafe class OrtHandle : SafeHandle
{
    private readonly delegate* unmanaged<IntPtr, void> _release;

    /// <param name="kind">The ORT type, for messages ("OrtSession").</param>
    /// <param name="release">Its release function from the API table.</param>
    /// <param name="handle">The object; zero makes an invalid handle that releases nothing.</param>
    public OrtHandle(string kind, delegate* unmanaged<IntPtr, void> release, IntPtr handle)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        Kind = kind;
        _release = release;
        SetHandle(handle);
    }

    public string Kind { get; }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        _release(handle);
        return true;
    }

    /// <summary>Keeps the object alive for the lease's scope: <c>using var lease = h.Lease();</c> then <c>lease.Pointer</c>.</summary>
    public HandleLease Lease()
    {
        if (IsInvalid)
            throw new ObjectDisposedException(Kind);
        var added = false;
        DangerousAddRef(ref added);
        return new HandleLease(this, DangerousGetHandle());
    }

    /// <summary>A reference held on an <see cref="OrtHandle"/>; disposing it drops the reference.</summary>
    public readonly ref struct HandleLease
    {
        private readonly OrtHandle _owner;

        public HandleLease(OrtHandle owner, IntPtr pointer)
        {
            _owner = owner;
            Pointer = pointer;
        }

        public IntPtr Pointer { get; }

        public void Dispose() => _owner.DangerousRelease();
    }
}
