using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit.Abstractions;

namespace MlNetRnn.MLNet.Tests;

/// <summary>Runs the README's examples alone: they change the working directory, which is the process's.</summary>
[CollectionDefinition(nameof(ReadmeExamples), DisableParallelization = true)]
public sealed class ReadmeExamples;

/// <summary>
/// Every example of the README's guide (a ```csharp block after a line <c>&lt;!-- example: name --&gt;</c>) is a
/// complete program: each is compiled with Roslyn against the libraries this test project references and run in a
/// folder of its own, so the guide cannot drift from the API.
/// </summary>
[Collection(nameof(ReadmeExamples))]
public partial class ReadmeExamplesTests(ITestOutputHelper output)
{
    [Fact]
    public void EveryExampleCompilesAndRunsInOrder()
    {
        var examples = Examples();
        Assert.True(examples.Count >= 8, $"README.md has {examples.Count} marked examples; expected one per task of the guide.");
        // One folder for all, in README order: the deployment example scores the file the text example exported.
        var folder = Directory.CreateTempSubdirectory("mlnetrnn-readme-").FullName;
        try
        {
            foreach (var (name, code) in examples)
                Run(name, code, folder);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private void Run(string name, string code, string folder)
    {
        var compilation = CSharpCompilation.Create($"readme_{name.Replace('-', '_')}",
            [CSharpSyntaxTree.ParseText(code, Parse, path: $"README.md#{name}"), CSharpSyntaxTree.ParseText(ImplicitUsings, Parse)],
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        using var assembly = new MemoryStream();
        var emitted = compilation.Emit(assembly);
        Assert.True(emitted.Success, $"README example '{name}' does not compile:\n" +
            string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));

        var previous = Environment.CurrentDirectory;
        var console = Console.Out;
        var printed = new StringWriter();
        var context = new AssemblyLoadContext(name, isCollectible: true);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            Environment.CurrentDirectory = folder;
            Console.SetOut(printed);
            assembly.Position = 0;
            var entry = context.LoadFromStream(assembly).EntryPoint!;
            var result = entry.Invoke(null, entry.GetParameters().Length == 0 ? null : [Array.Empty<string>()]);
            if (result is int exitCode)
                Assert.True(exitCode == 0, $"README example '{name}' exited with {exitCode}");
        }
        catch (TargetInvocationException e)
        {
            Assert.Fail($"README example '{name}' threw {e.InnerException}");
        }
        finally
        {
            Console.SetOut(console);
            Environment.CurrentDirectory = previous;
            context.Unload();
            output.WriteLine($"--- {name} ({clock.Elapsed.TotalSeconds:F1} s)\n{printed}");
        }
    }

    private static readonly CSharpParseOptions Parse = new(LanguageVersion.Latest);

    // What a console project's ImplicitUsings gives every file.
    private const string ImplicitUsings = "global using System; global using System.Collections.Generic; global using System.IO; " +
        "global using System.Linq; global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;";

    /// <summary>The marked examples of README.md by name.</summary>
    private static List<(string Name, string Code)> Examples()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        return ExampleBlock().Matches(readme).Select(m => (m.Groups["name"].Value, m.Groups["code"].Value)).ToList();
    }

    [GeneratedRegex(@"<!-- example: (?<name>[a-z0-9-]+) -->\s*```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex ExampleBlock();

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MlNetRnn.sln")))
                return directory.FullName;
        }
        throw new DirectoryNotFoundException($"No MlNetRnn.sln above {AppContext.BaseDirectory}.");
    }

    // The platform's assemblies and every assembly beside the tests (MlNetRnn, ML.NET, ONNX Runtime's managed API).
    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var beside = Directory.GetFiles(AppContext.BaseDirectory, "*.dll").Where(IsManaged);
        return platform.Concat(beside).GroupBy(Path.GetFileName).Select(g => g.First())
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path)).ToArray();
    });

    private static bool IsManaged(string path)
    {
        try
        {
            AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
