using System.Diagnostics;
using MlNetRnn.OnnxExport.Runtime;

namespace MlNetRnn.Tests.Runtime;

/// <summary>Loading checks: a library that is not ONNX Runtime, and one too old for the API version the binding reads.</summary>
public sealed class OnnxRuntimeLibraryTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mlnetrnn-ortlib-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void LoadsTheVersionThatServesApiVersion29()
    {
        var library = OnnxRuntimeLibrary.Default;
        var version = Version.Parse(library.Version);
        Assert.True(version >= new Version(1, 29), $"{library} is older than 1.29.");
        Assert.False(string.IsNullOrWhiteSpace(library.BuildInfo));
    }

    [Fact]
    public void LibraryWithoutOrtGetApiBaseIsNamed()
    {
        var notOrt = Compile("not_ort", "int unrelated(void) { return 1; }");
        var error = Assert.Throws<InvalidOperationException>(() => OnnxRuntimeLibrary.Load(new OnnxRuntimeLibraryOptions { LibraryPath = notOrt }));
        Assert.Contains("does not export OrtGetApiBase", error.Message);
        Assert.Contains(notOrt, error.Message);
    }

    [Fact]
    public void LibraryTooOldForApiVersion29SaysWhichVersionIsNeeded()
    {
        // OrtGetApiBase as ORT 1.20 would answer GetApi(29): no table.
        var old = Compile("old_ort", """
            #include <stddef.h>
            #include <stdint.h>
            static const void* get_api(uint32_t version) { return version <= 20 ? (const void*)1 : NULL; }
            static const char* get_version(void) { return "1.20.0"; }
            static const void* base[2] = { (const void*)get_api, (const void*)get_version };
            const void* OrtGetApiBase(void) { return base; }
            """);
        var error = Assert.Throws<InvalidOperationException>(() => OnnxRuntimeLibrary.Load(new OnnxRuntimeLibraryOptions { LibraryPath = old }));
        Assert.Contains("version 1.20.0", error.Message);
        Assert.Contains("C API version 29", error.Message);
        Assert.Contains("needs ONNX Runtime 1.29 or newer", error.Message);
    }

    // A shared library built with the C compiler the native kernel's build already requires.
    private string Compile(string name, string source)
    {
        var sourcePath = Path.Combine(_directory, name + ".c");
        var libraryPath = Path.Combine(_directory, $"lib{name}.so");
        File.WriteAllText(sourcePath, source);
        using var compiler = Process.Start(new ProcessStartInfo("cc", ["-shared", "-fPIC", "-o", libraryPath, sourcePath])
        {
            RedirectStandardError = true,
        })!;
        var errors = compiler.StandardError.ReadToEnd();
        compiler.WaitForExit();
        Assert.True(compiler.ExitCode == 0, $"cc failed: {errors}");
        return libraryPath;
    }
}
