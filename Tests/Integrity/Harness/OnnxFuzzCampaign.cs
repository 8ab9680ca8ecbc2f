using Google.Protobuf;
using MlNetRnn.Kernels;
using MlNetRnn.OnnxExport.Export;
using MlNetRnn.OnnxExport.Proto;
using MlNetRnn.Tests.Export;

namespace MlNetRnn.Tests.Integrity;

/// <summary>
/// The seeded mutation loop over the ONNX readers: <c>onnx-import</c> (OnnxImporter.Import of a path) and
/// <c>onnx-predictor</c> (OnnxSequencePredictor.Load, which verifies the file and hands ONNX Runtime the verified model)
/// on MlNetRnn's own exports, and <c>onnx-import-foreign</c> (OnnxImporter.Import) on graphs written by
/// torch.onnx.export (Tests/Fixtures/pytorch-onnx). Case i mutates seed i mod n with <c>new Random(seed * 1000003 + i)</c>
/// (<see cref="OnnxFileMutator"/>), so any case replays alone. The oracle is <see cref="LoadOracle"/>'s: the library's
/// <see cref="ModelFileException"/>, or a load whose predictions on a fixed input are bit for bit the undamaged file's;
/// where nothing can tell a changed weight from a trained one (no checksum, or one recomputed), another valid model
/// that predicts; never another exception, a hang, or more than the memory bound allocated by the read.
/// </summary>
internal sealed class OnnxFuzzCampaign
{
    public const string Import = "onnx-import";
    public const string Predictor = "onnx-predictor";
    public const string ForeignImport = "onnx-import-foreign";

    /// <param name="Signed">An export with its checksum (the strict oracle for any change not re-signed).</param>
    public sealed record Seed(string Name, bool Foreign, bool Signed, byte[] Bytes, SequenceData Input, string ImportFingerprint, string? PredictorFingerprint);

    private readonly string _scratch;

    public OnnxFuzzCampaign(string scratch)
    {
        _scratch = scratch;
        Seeds = CreateSeeds(scratch);
    }

    public IReadOnlyList<Seed> Seeds { get; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Managed bytes one read may allocate: the seeds are a few KB to 200 KB, and a huge metadata string of
    /// the mutator is at most 8 Mi characters.</summary>
    public long MemoryBound { get; init; } = 256L << 20;

    public static string FixtureFolder => Path.Combine(RepositoryRoot(), "Tests", "Fixtures", "pytorch-onnx");

    private static readonly string[] OwnModels =
    [
        "binary gru text max", "multiclass lstm tokens mean bidirectional 2layers", "regression-steps rnn-relu dense", "tagging gru-lbr0 tokens",
    ];

    private static readonly string[] ForeignModels = ["gru_tokens_binary", "lstm_dense_2layers_regression", "rnn_relu_2layers_log_softmax"];

    private static List<Seed> CreateSeeds(string scratch)
    {
        var seeds = new List<Seed>();
        foreach (var configuration in OwnModels)
        {
            using var model = RandomModels.Create(configuration, KernelKind.Native);
            var signed = OnnxExporter.Build(model, new OnnxExportOptions()).Model;
            var unsigned = signed.Clone();
            unsigned.MetadataProps.Remove(unsigned.MetadataProps.Single(p => p.Key == OnnxModelContract.ChecksumKey));
            var input = SeedFiles.Input(model);
            foreach (var (proto, isSigned) in new[] { (signed, true), (unsigned, false) })
            {
                var bytes = proto.ToByteArray();
                seeds.Add(new Seed($"{configuration}{(isSigned ? "" : " (no checksum)")}", false, isSigned, bytes, input,
                    Fingerprint(Import, bytes, input, scratch), Fingerprint(Predictor, bytes, input, scratch)));
            }
        }
        foreach (var name in ForeignModels)
        {
            var bytes = File.ReadAllBytes(Path.Combine(FixtureFolder, name + ".onnx"));
            var path = Path.Combine(scratch, "seed.onnx");
            File.WriteAllBytes(path, bytes);
            using var model = OnnxImporter.Import(path);
            var input = InputFor(model);
            seeds.Add(new Seed($"pytorch {name}", true, false, bytes, input, Fingerprint(ForeignImport, bytes, input, scratch), null));
        }
        return seeds;
    }

    /// <summary>Three sequences the model reads (token ids below its vocabulary, or features of its width).</summary>
    private static SequenceData InputFor(SequenceModel model)
    {
        if (model.Schema.Input != SequenceInputKindOfData.TokenIds)
            return SeedFiles.Input(model);
        var size = model.Schema.VocabularySize;
        return SequenceData.FromTokenIds([[2 % size, 3 % size, 4 % size, 5 % size, 12 % size, 1], [7 % size], [11 % size, 0, 6 % size]]);
    }

    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MlNetRnn.sln")))
                return directory.FullName;
        }
        throw new DirectoryNotFoundException($"MlNetRnn.sln not found above {AppContext.BaseDirectory}");
    }

    /// <summary>Reads the file with a reader and returns its predictions on the input (throws what the reader throws).</summary>
    public static string Fingerprint(string reader, byte[] bytes, SequenceData input, string scratch)
    {
        var path = Path.Combine(scratch, "case.onnx");
        File.WriteAllBytes(path, bytes);
        if (reader == Predictor)
        {
            using var predictor = OnnxSequencePredictor.Load(path);
            return LoadOracle.Loaded.Predictions(predictor.Predict(input));
        }
        using var model = OnnxImporter.Import(path);
        if (model.Parameters.Values.Any(v => !float.IsFinite(v)))
            throw new InvalidOperationException("the importer returned non-finite weights");
        return LoadOracle.Loaded.Predictions(model, input);
    }

    public FuzzCampaign.Case RunCase(int seed, int number)
    {
        var file = Seeds[number % Seeds.Count];
        var reader = file.Foreign ? ForeignImport : (number / Seeds.Count) % 2 == 0 ? Import : Predictor;
        var mutation = OnnxFileMutator.Mutate(file.Bytes, file.Signed, new Random(unchecked(seed * 1000003 + number)));
        var expected = reader == Predictor ? file.PredictorFingerprint! : file.ImportFingerprint;
        var result = LoadOracle.Guard(() =>
        {
            var actual = Fingerprint(reader, mutation.Bytes, file.Input, _scratch);
            if (actual == expected)
                return (Outcome.Identical, "");
            return mutation.Strict
                ? (Outcome.Failed, $"silent corruption: loaded, and predicts otherwise than the undamaged file: {LoadOracle.Difference(expected, actual)}")
                : (Outcome.LoadedOther, LoadOracle.Difference(expected, actual));
        }, Timeout, MemoryBound);
        return new FuzzCampaign.Case(number, reader, file.Name, ".onnx", mutation, result);
    }

    public List<FuzzCampaign.Case> Run(int seed, int first, int count, Action<FuzzCampaign.Case>? progress = null) =>
        FuzzCampaign.Loop(number => RunCase(seed, number), first, count, progress);
}
