using System.Runtime.InteropServices;

namespace MlNetRnn.Kernels;

/// <summary>A native kernel call failed; carries the status and the kernel's own message.</summary>
public sealed class NativeKernelException : Exception
{
    public NativeKernelException(int status, string function, string nativeMessage)
        : base($"{function} failed ({StatusName(status)}): {nativeMessage}")
    {
        Status = status;
        NativeMessage = nativeMessage;
    }

    /// <summary>The mlnr_status code.</summary>
    public int Status { get; }

    public string NativeMessage { get; }

    internal static void ThrowIfFailed(int status, string function)
    {
        if (status == 0)
            return;
        var message = Marshal.PtrToStringUTF8(NativeMethods.LastError()) ?? "";
        throw new NativeKernelException(status, function, message);
    }

    private static string StatusName(int status) => status switch
    {
        1 => "invalid argument",
        2 => "unsupported",
        3 => "out of memory",
        4 => "internal error",
        5 => "resource unavailable",
        _ => $"status {status}",
    };
}
