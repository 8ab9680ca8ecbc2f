using System.CommandLine;

namespace MlNetRnn.Cli;

/// <summary>Entry point of the `mlnetrnn` command; each subcommand lives in Commands/ as one file.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("MlNetRnn: train, test, benchmark and serve recurrent sequence models from .NET.");
        root.Subcommands.Add(Commands.BenchCommand.Create());
        root.Subcommands.Add(Commands.OnnxNodeTestCommand.Create());
        return root.Parse(args).Invoke();
    }
}
