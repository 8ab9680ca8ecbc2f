using System.Text;

namespace MlNetRnn.Tests.Integrity;

/// <summary>
/// The seeded mutation loop over the loaders: case i mutates seed file i mod 14 with its own generator
/// (<c>new Random(seed * 1000003 + i)</c>), so any case replays alone. Each case runs on its own thread under a timeout
/// and a bound on the bytes the read allocates; see <see cref="LoadOracle"/> for the oracle.
/// </summary>
internal sealed class FuzzCampaign
{
    /// <param name="SeedName">The undamaged file the case mutated.</param>
    /// <param name="Extension">The file name extension a failing input is saved with (".mlnr", ".onnx", ".csv", ...).</param>
    public sealed record Case(int Number, string Reader, string SeedName, string Extension, Mutation Mutation, CaseResult Result);

    private readonly IReadOnlyList<SeedFile> _seeds;
    private readonly string _scratch;

    public FuzzCampaign(string scratch)
    {
        _scratch = scratch;
        _seeds = SeedFiles.Create(scratch);
    }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Bytes one read may allocate: the seeds hold a few KB of weights, so a read that allocates more was
    /// talked into it by a damaged header.</summary>
    public long MemoryBound { get; init; } = 256L << 20;

    public IReadOnlyList<SeedFile> Seeds => _seeds;

    public Case RunCase(int seed, int number)
    {
        var file = _seeds[number % _seeds.Count];
        var reader = LoadOracle.ReaderOf(file.Kind, number / _seeds.Count);
        var mutation = ModelFileMutator.Mutate(file, new Random(unchecked(seed * 1000003 + number)));
        var result = LoadOracle.Run(reader, file, mutation.Bytes, mutation.Strict, _scratch, Timeout, MemoryBound);
        return new Case(number, reader, file.Name, file.Kind == SeedKind.Checkpoint ? ".ckpt" : ".mlnr", mutation, result);
    }

    public List<Case> Run(int seed, int first, int count, Action<Case>? progress = null) =>
        Loop(number => RunCase(seed, number), first, count, progress);

    /// <summary>Runs cases first..first+count-1 of a campaign; keeps the mutated bytes of failures only.</summary>
    public static List<Case> Loop(Func<int, Case> runCase, int first, int count, Action<Case>? progress = null)
    {
        var cases = new List<Case>(count);
        for (var number = first; number < first + count; number++)
        {
            var result = runCase(number);
            // Keep the counts and failures, not every mutated file.
            cases.Add(result with { Mutation = result.Mutation with { Bytes = result.Result.Outcome == Outcome.Failed ? result.Mutation.Bytes : [] } });
            progress?.Invoke(result);
        }
        return cases;
    }

    /// <summary>Cases per reader and per mutation, by outcome; then the failures, and what loaded as another model.</summary>
    public static string Summarize(IReadOnlyList<Case> cases, int maxListed = 20)
    {
        var text = new StringBuilder();
        void Table(string title, Func<Case, string> key)
        {
            text.AppendLine($"{title,-28} {"cases",7} {"refused",8} {"identical",10} {"other",6} {"FAILED",7}");
            foreach (var group in cases.GroupBy(key).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                int Count(Outcome o) => group.Count(c => c.Result.Outcome == o);
                text.AppendLine($"{group.Key,-28} {group.Count(),7} {Count(Outcome.Refused),8} {Count(Outcome.Identical),10} {Count(Outcome.LoadedOther),6} {Count(Outcome.Failed),7}");
            }
            text.AppendLine();
        }
        Table("reader", c => c.Reader);
        Table("mutation", c => c.Mutation.Category + (c.Mutation.Strict ? "" : " (relaxed)"));
        foreach (var group in cases.GroupBy(c => c.Reader).OrderBy(g => g.Key, StringComparer.Ordinal))
            text.AppendLine($"{group.Key}: largest allocation of a read {group.Max(c => c.Result.AllocatedBytes) / 1048576.0:F1} MiB; slowest case {group.Max(c => c.Result.Elapsed).TotalMilliseconds:F0} ms");
        var failures = cases.Where(c => c.Result.Outcome == Outcome.Failed).ToList();
        text.AppendLine($"failures: {failures.Count}");
        foreach (var c in failures.Take(maxListed))
            text.AppendLine($"  case {c.Number} [{c.Reader}, {c.SeedName}] {c.Mutation.Category}: {c.Mutation.Description}\n    {c.Result.Detail.Split('\n')[0]}");
        var others = cases.Where(c => c.Result.Outcome == Outcome.LoadedOther).ToList();
        if (others.Count > 0)
        {
            text.AppendLine($"read as another valid model or data (relaxed oracle: no manifest or checksum, or a change re-signed; an input file): {others.Count}, by field:");
            foreach (var group in others.GroupBy(c => FieldOf(c.Mutation.Description)).OrderByDescending(g => g.Count()).Take(maxListed))
                text.AppendLine($"  {group.Count(),5}  {group.Key}  e.g. case {group.First().Number}: {group.First().Mutation.Description}");
        }
        return text.ToString();
    }

    // "'model.json' Schema.Labels[1]: -> "" (fresh CRC)" -> "'model.json' Schema.Labels[]"
    private static string FieldOf(string description)
    {
        var field = description.Split(':')[0];
        return System.Text.RegularExpressions.Regex.Replace(field, @"\[\d+\]|float \d+.*", m => m.Value.StartsWith('[') ? "[]" : "floats");
    }
}
