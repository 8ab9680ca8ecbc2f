using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.InteropServices;

namespace MlNetRnn.Kernels;

/// <summary>
/// Finds and loads the native kernel: the path in MLNETRNN_NATIVE_LIBRARY when set, else the file next to this
/// assembly (where the build puts it), else the application folder. Checks the ABI version once loaded; a missing
/// library or a mismatched version throws with every path tried and the fix.
/// </summary>
internal static class NativeLibraryLoader
{
    public const string PathVariable = "MLNETRNN_NATIVE_LIBRARY";

    private static readonly Lazy<nint> Handle = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);
    private static int _resolverInstalled;

    public static void EnsureLoaded()
    {
        if (Interlocked.Exchange(ref _resolverInstalled, 1) == 0)
            NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);
        _ = Handle.Value;
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == NativeMethods.Library ? Handle.Value : IntPtr.Zero;

    private static string FileName =>
        OperatingSystem.IsWindows() ? "mlnetrnn_native.dll" : OperatingSystem.IsMacOS() ? "libmlnetrnn_native.dylib" : "libmlnetrnn_native.so";

    [UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "An empty Location is handled: the application's directory is tried next.")]
    private static nint Load()
    {
        var tried = new List<string>();
        var candidates = new List<string>();
        var fromVariable = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrEmpty(fromVariable))
            candidates.Add(fromVariable);
        else
        {
            // Beside this assembly first (a NuGet cache folder, a plug-in directory); Location is empty in a single-file or
            // NativeAOT app, where the application's directory below is the place.
            var assemblyDirectory = Path.GetDirectoryName(typeof(NativeLibraryLoader).Assembly.Location);
            if (!string.IsNullOrEmpty(assemblyDirectory))
                candidates.Add(Path.Combine(assemblyDirectory, FileName));
            candidates.Add(Path.Combine(AppContext.BaseDirectory, FileName));
        }
        foreach (var path in candidates.Distinct())
        {
            if (!File.Exists(path))
            {
                tried.Add($"{path} (no such file)");
                continue;
            }
            nint handle;
            try
            {
                handle = NativeLibrary.Load(path);
            }
            catch (DllNotFoundException e)
            {
                // .NET's message ends with the system loader's own reason (dlerror: "libfoo.so.1: cannot open shared
                // object file", "file too short", "wrong ELF class"); NativeLibrary.TryLoad would drop it.
                var reason = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? e.Message;
                tried.Add($"{path} (exists but could not be loaded: {reason})");
                continue;
            }
            catch (BadImageFormatException e)
            {
                tried.Add($"{path} (exists but is not a loadable library for this process: {e.Message})");
                continue;
            }
            var version = NativeLibrary.GetExport(handle, "mlnr_abi_version");
            var abi = Marshal.GetDelegateForFunctionPointer<AbiVersionFunction>(version)();
            if (abi != NativeMethods.AbiVersion)
                throw new DllNotFoundException($"The native kernel at {path} has ABI version {abi}; this MlNetRnn needs {NativeMethods.AbiVersion}. Rebuild it with 'dotnet build'.");
            return handle;
        }
        throw new DllNotFoundException(
            $"The MlNetRnn native kernel ({FileName}) could not be loaded. Tried:\n  " + string.Join("\n  ", tried) +
            $"\nFix: run 'dotnet build' (it builds the kernel with CMake; needs cmake and g++), or set {PathVariable} to the library's path.");
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int AbiVersionFunction();
}
