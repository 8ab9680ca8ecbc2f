using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.InteropServices;

namespace MlNetRnn.Kernels;

/// <summary>
/// Finds and loads the native kernel: the path in MLNETRNN_NATIVE_LIBRARY when set; else where the .NET host resolves
/// native assets (an application referencing the MlNetRnn package: its deps.json names
/// runtimes/linux-x64/native/libmlnetrnn_native.so); else beside this assembly, the application folder, and their
/// runtimes/&lt;rid&gt;/native folders. Checks the ABI version once loaded. A missing library, one that does not
/// load (with the loader's reason), a mismatched version, or a platform the packages do not carry throws
/// <see cref="DllNotFoundException"/> with every path tried and what to do.
/// </summary>
internal static class NativeLibraryLoader
{
    public const string PathVariable = "MLNETRNN_NATIVE_LIBRARY";

    /// <summary>The runtime identifiers the MlNetRnn package carries the kernel for.</summary>
    public static readonly IReadOnlyList<string> PackagedRuntimes = ["linux-x64"];

    private static readonly Lazy<nint> Handle = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);
    private static int _resolverInstalled;

    // Set while Load asks the host to resolve the library by name: the host then calls Resolve, which must step aside.
    [ThreadStatic]
    private static bool _loading;

    public static void EnsureLoaded()
    {
        if (Interlocked.Exchange(ref _resolverInstalled, 1) == 0)
            NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);
        _ = Handle.Value;
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == NativeMethods.Library && !_loading ? Handle.Value : IntPtr.Zero;

    private static string FileName =>
        OperatingSystem.IsWindows() ? "mlnetrnn_native.dll" : OperatingSystem.IsMacOS() ? "libmlnetrnn_native.dylib" : "libmlnetrnn_native.so";

    [UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "An empty Location is handled: the application's directory is tried next.")]
    private static nint Load()
    {
        var tried = new List<string>();
        var fromVariable = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrEmpty(fromVariable))
            return TryFile(fromVariable, tried) ?? throw NotFound(tried, fromVariable: true);

        // The host's own resolution: the deps.json of an application that references the package.
        bool found;
        nint resolved;
        _loading = true;
        try
        {
            found = NativeLibrary.TryLoad(NativeMethods.Library, typeof(NativeLibraryLoader).Assembly, DllImportSearchPath.AssemblyDirectory, out resolved);
        }
        finally
        {
            _loading = false;
        }
        if (found)
            return CheckAbi(resolved, $"{NativeMethods.Library} (resolved by the .NET host)");
        tried.Add($"{NativeMethods.Library} through the .NET host's native search paths (not found)");

        // Location is empty in a single-file or NativeAOT app, where the application's directory is the place.
        var folders = new List<string>();
        var assemblyDirectory = Path.GetDirectoryName(typeof(NativeLibraryLoader).Assembly.Location);
        if (!string.IsNullOrEmpty(assemblyDirectory))
            folders.Add(assemblyDirectory);
        folders.Add(AppContext.BaseDirectory);
        var candidates = folders.SelectMany(f => new[]
        {
            Path.Combine(f, FileName),
            Path.Combine(f, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", FileName),
        }).Select(Path.GetFullPath).Distinct();
        foreach (var path in candidates)
        {
            if (TryFile(path, tried) is { } handle)
                return handle;
        }
        throw NotFound(tried, fromVariable: false);
    }

    private static nint? TryFile(string path, List<string> tried)
    {
        if (!File.Exists(path))
        {
            tried.Add($"{path} (no such file)");
            return null;
        }
        try
        {
            return CheckAbi(NativeLibrary.Load(path), path);
        }
        catch (DllNotFoundException e)
        {
            // .NET's message ends with the system loader's own reason (dlerror: "libfoo.so.1: cannot open shared object
            // file", "file too short", "wrong ELF class"); NativeLibrary.TryLoad would drop it.
            var reason = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? e.Message;
            tried.Add($"{path} (exists but could not be loaded: {reason})");
            return null;
        }
        catch (BadImageFormatException e)
        {
            tried.Add($"{path} (not a native library for this platform: {OneLine(e.Message)})");
            return null;
        }
    }

    private static nint CheckAbi(nint handle, string origin)
    {
        if (!NativeLibrary.TryGetExport(handle, "mlnr_abi_version", out var version))
            throw new DllNotFoundException($"The library at {origin} is not the MlNetRnn native kernel (it has no mlnr_abi_version export).");
        int abi;
        unsafe
        {
            abi = ((delegate* unmanaged[Cdecl]<int>)version)();
        }
        if (abi != NativeMethods.AbiVersion)
            throw new DllNotFoundException($"The native kernel at {origin} has ABI version {abi}; this MlNetRnn ({typeof(NativeLibraryLoader).Assembly.GetName().Version}) needs {NativeMethods.AbiVersion}: the native library and the MlNetRnn assemblies come from different versions.");
        return handle;
    }

    private static DllNotFoundException NotFound(List<string> tried, bool fromVariable)
    {
        var rid = RuntimeInformation.RuntimeIdentifier;
        var where = "Tried:\n  " + string.Join("\n  ", tried);
        if (fromVariable)
            return new DllNotFoundException($"{PathVariable} names the MlNetRnn native kernel, but it could not be used. {where}\nFix: point {PathVariable} at a libmlnetrnn_native.so of this version, or unset it.");
        if (!PackagedRuntimes.Contains(rid))
            return new DllNotFoundException(
                $"The MlNetRnn native kernel is packaged for {string.Join(", ", PackagedRuntimes)} only; this process runs on {rid} " +
                $"({RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}). Training and the native Predict need " +
                $"it; ONNX files exported elsewhere still score in ONNX Runtime (OnnxSequencePredictor). A kernel built from source for this platform can be named with {PathVariable}. {where}");
        return new DllNotFoundException(
            $"The MlNetRnn native kernel ({FileName}) was not found. {where}\nThe MlNetRnn package carries it under runtimes/{rid}/native/: " +
            $"an application that references the package finds it there; an application copied without that folder needs the file beside it, " +
            $"or {PathVariable} set to its path. (Inside the MlNetRnn repository, 'dotnet build' builds it with CMake.)");
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
