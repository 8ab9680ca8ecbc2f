using System.IO.Compression;
using System.Text.Json.Nodes;
using MlNetRnn.Network;
using MlNetRnn.Persistence;
using MlNetRnn.Training;

namespace MlNetRnn.Tests.Integrity;

/// <summary>
/// What the tester of the integrity issue found, one test each: silent corruption, crashes, hangs and errors that did
/// not name the file. Every damaged file is refused with <see cref="ModelFileException"/> naming the file, the entry and
/// the field; the fuzz campaign (<see cref="ReaderFuzzTests"/>) covers the rest of the space.
/// </summary>
public sealed class DamagedModelFileTests : IClassFixture<DamagedModelFileTests.Seeds>, IDisposable
{
    private readonly Seeds _seeds;
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("mlnetrnn-damaged");

    public DamagedModelFileTests(Seeds seeds) => _seeds = seeds;

    /// <summary>The fuzzer's undamaged files, built once for the class.</summary>
    public sealed class Seeds : IDisposable
    {
        private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("mlnetrnn-seeds");

        public Seeds() => Files = SeedFiles.Create(_scratch.FullName);

        internal IReadOnlyList<SeedFile> Files { get; }

        internal SeedFile this[string name] => Files.Single(f => f.Name == name);

        public void Dispose() => _scratch.Delete(recursive: true);
    }

    public void Dispose() => _directory.Delete(recursive: true);

    private const string TextModel = "binary gru text max";
    private const string AdamCheckpoint = "checkpoint adam averaged best";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void OneChangedByteInTheWeightsIsRefused(bool manifest)
    {
        // Deflated, as saved: the byte changes what inflates or the CRC of what does.
        var bytes = Bytes(TextModel, manifest);
        var parameters = ZipLayout.Parse(bytes)[SequenceModel.ParametersEntry];
        bytes[parameters.Data + parameters.CompressedSize / 2] ^= 0x10;
        Refused(bytes, SequenceModel.ParametersEntry);

        // Stored: nothing but the checksum can see it.
        var stored = ZipContents.Read(Bytes(TextModel, manifest));
        stored.Items[stored.Items.FindIndex(p => p.Name == SequenceModel.ParametersEntry)] = stored.Items.Single(p => p.Name == SequenceModel.ParametersEntry) with { Level = CompressionLevel.NoCompression };
        var zip = stored.ToZip();
        var entry = ZipLayout.Parse(zip)[SequenceModel.ParametersEntry];
        zip[entry.Data + 100] ^= 0x01;
        Assert.Contains("CRC-32", Refused(zip, SequenceModel.ParametersEntry).Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void DeflatedBytesRelabelledAsStoredAreRefused(bool manifest)
    {
        var bytes = Bytes(TextModel, manifest);
        var entry = ZipLayout.Parse(bytes)[SequenceModel.ParametersEntry];
        ZipLayout.SetU16(bytes, entry.Central + ZipLayout.CentralMethod, 0);
        ZipLayout.SetU16(bytes, entry.Local + ZipLayout.LocalMethod, 0);
        Refused(bytes, SequenceModel.ParametersEntry);
    }

    [Theory]
    [InlineData("Spec.ReadOut", "42", "ReadOut is 42")]
    [InlineData("Spec.ReadOut", "\"Bogus\"", "is not valid")]
    [InlineData("Spec.Cell", "7", "Cell is 7")]
    [InlineData("Schema.Input", "9", "Schema.Input is 9")]
    [InlineData("Options.Kernel", "42", "Kernel is 42")]
    [InlineData("Spec.Task", "\"Regression\"", "Task is BinaryClassification; Spec.Task is Regression")]
    [InlineData("Schema.Task", "\"MulticlassClassification\"", "Schema.Task is MulticlassClassification")]
    [InlineData("Options.Task", "\"Tagging\"", "Options.Task is Tagging")]
    [InlineData("Schema.Labels", "[\"ham\", \"spam\", \"maybe\"]", "holds 3 labels")]
    [InlineData("Schema.Labels", "[]", "holds 0 labels")]
    [InlineData("Schema.Labels", "[\"<pad>\", \"spam\"]", "'<pad>', a reserved token")]
    [InlineData("Schema.Labels", "[\"spam\", \"spam\"]", "'spam' again")]
    [InlineData("Schema.Labels", "[null, \"spam\"]", "Schema.Labels[0] is null")]
    [InlineData("Schema.Vocabulary", "[\"<pad>\", \"<unk>\", \"the\", \"the\", \"sat\", \"on\", \"mat\", \"a\", \"dog\", \"ran\"]", "appears twice")]
    [InlineData("Schema.Vocabulary", "[\"<unk>\", \"<pad>\", \"the\", \"cat\", \"sat\", \"on\", \"mat\", \"a\", \"dog\", \"ran\"]", "starts with '<pad>' and '<unk>'")]
    [InlineData("Schema.Vocabulary", "[\"<pad>\", \"<unk>\", \"the\"]", "holds 3 tokens")]
    [InlineData("Schema.VocabularySize", "11", "VocabularySize is 11")]
    [InlineData("Schema.Featurizer", "null", "Schema.Featurizer is null")]
    [InlineData("Schema.Featurizer.Truncation", "5", "Truncation is 5")]
    [InlineData("Parameters", "null", "Parameters")]
    [InlineData("Spec", "null", "Spec")]
    [InlineData("Spec.HiddenSize", "20000", "HiddenSize (units per direction) must be in [1, 16384], got 20000")]
    [InlineData("Spec.HiddenSize", "2147483647", "got 2147483647")]
    [InlineData("Spec.HiddenSize", "2147483648", "is not valid")]
    [InlineData("Spec.InputWidth", "2147483647", "InputWidth")]
    [InlineData("Spec.EmbeddingSize", "1073741824", "EmbeddingSize")]
    [InlineData("Spec.Layers", "2147483647", "Layers (stacked recurrent layers) must be in [1, 64], got 2147483647")]
    [InlineData("Spec.Layers", "64", "Parameters lists 6 tensors; the spec's network has 195")]
    [InlineData("History[0].Seconds", "1e308", "History[0].Seconds is 1E+308")]
    [InlineData("History[0].Seconds", "\"NaN\"", "History[0].Seconds is NaN")]
    [InlineData("RestoredEpoch", "7", "RestoredEpoch is 7")]
    [InlineData("Options.Threads", "300", "Threads")]
    [InlineData("Options.ClassWeights", "[1, 2, 3]", "ClassWeights has 3 entries")]
    [InlineData("FormatVersion", "2", "Update MlNetRnn")]
    [InlineData("Format", "\"something-else\"", "not an MlNetRnn model")]
    public void DamagedModelJsonIsRefusedNamingTheField(string field, string json, string expected)
    {
        // The manifest recomputed (as a writer that got the JSON wrong would): the content checks alone must refuse it.
        var bytes = EditJson(Bytes(TextModel, manifest: true), SequenceModel.ModelEntry, field, json, freshManifest: true);
        var error = Refused(bytes, SequenceModel.ModelEntry);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void AnEditedModelJsonIsRefusedByTheManifest()
    {
        // Dropout changes nothing a reader could check; only the checksum sees the edit.
        var bytes = EditJson(Bytes(TextModel, manifest: true), SequenceModel.ModelEntry, "Options.Seed", "99", freshManifest: false);
        Assert.Contains("the entry was changed after the file was written", Refused(bytes, SequenceModel.ModelEntry).Message);
    }

    [Fact]
    public void AFileWithoutAManifestLoadsWhenItsCrcsAndContentCheck()
    {
        var legacy = _seeds[TextModel + " (no manifest)"];
        using var loaded = LoadOracle.Load(LoadOracle.ModelStream, legacy.Bytes, legacy.Input, _directory.FullName);
        Assert.Equal(_seeds[TextModel].Fingerprint, loaded.Fingerprint);
    }

    [Fact]
    public void NonFiniteWeightsAreRefusedNamingTheTensor()
    {
        var contents = ZipContents.Read(Bytes(TextModel, manifest: true));
        var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(contents[SequenceModel.ParametersEntry].AsSpan()).ToArray();
        floats[^1] = float.NaN; // head.b [1]
        contents[SequenceModel.ParametersEntry] = System.Runtime.InteropServices.MemoryMarshal.AsBytes(floats.AsSpan()).ToArray();
        var error = Refused(contents.WithFreshManifest().ToZip(), SequenceModel.ParametersEntry);
        Assert.Contains("tensor 'head.b' [1] holds NaN at element 0", error.Message);
    }

    [Fact]
    public void AHugeStringInsideASmallFileIsRefusedBeforeItIsRead()
    {
        // model.json inflating to 200 MB (a 200 MB label) from a file of ~2 MB: refused from its header.
        var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var stream = archive.CreateEntry(SequenceModel.ModelEntry, CompressionLevel.Fastest).Open())
            {
                stream.Write("{\"Labels\": [\""u8);
                var block = new byte[1 << 20];
                block.AsSpan().Fill((byte)'A');
                for (var i = 0; i < 200; i++)
                    stream.Write(block);
                stream.Write("\"]}"u8);
            }
        }
        var bytes = zip.ToArray();
        Assert.True(bytes.Length < 4 << 20, $"{bytes.Length} bytes");
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Refused(bytes, SequenceModel.ModelEntry);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "the read allocated the entry");
        Assert.Contains($"a document of this kind holds at most {SequenceModelLimits.MaxModelDocumentBytes}", error.Message);

        // The same file with a header that says 100 bytes: those are read (the entry's stream ends there), and their
        // CRC is not the header's.
        var entry = ZipLayout.Parse(bytes)[SequenceModel.ModelEntry];
        ZipLayout.SetU32(bytes, entry.Central + ZipLayout.CentralSize, 100);
        Assert.Contains("has CRC-32", Refused(bytes, SequenceModel.ModelEntry).Message);
    }

    [Fact]
    public void AHeaderThatClaimsMoreThanDeflateCanHoldIsRefusedBeforeAllocating()
    {
        var bytes = Bytes(TextModel, manifest: false);
        var entry = ZipLayout.Parse(bytes)[SequenceModel.ParametersEntry];
        ZipLayout.SetU32(bytes, entry.Central + ZipLayout.CentralSize, 1_500_000_000);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Contains("declares 1500000000 bytes", Refused(bytes, SequenceModel.ParametersEntry).Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20);
    }

    [Theory]
    [InlineData("OptimizerSteps", "-5", "OptimizerSteps is -5")]
    [InlineData("CompletedEpochs", "-1", "CompletedEpochs is -1")]
    [InlineData("CompletedEpochs", "-1000000", "CompletedEpochs is -1000000")]
    [InlineData("CompletedEpochs", "-2147483648", "CompletedEpochs is -2147483648")]
    [InlineData("CompletedEpochs", "6", "CompletedEpochs is 6; a checkpoint is written after epoch 1 to 5")]
    [InlineData("CompletedEpochs", "2", "the model's history records 3 epochs")]
    [InlineData("RandomState", "[0, 0, 0, 0]", "RandomState")]
    [InlineData("OptimizerKind", "\"Sgd\"", "OptimizerKind is Sgd")]
    [InlineData("OptimizerBuffers", "[\"m\", \"v\"]", "keeps [m, v, average]")]
    [InlineData("OptimizerBuffers", "[\"m\", \"m\", \"v\"]", "OptimizerBuffers is [m, m, v]")]
    [InlineData("BestEpoch", "0", "BestEpoch is 0")]
    [InlineData("BestLoss", "\"NaN\"", "BestLoss is NaN")]
    [InlineData("BestLoss", "-0.5", "BestLoss is -0.5; expected the best validation loss, finite and >= 0")]
    [InlineData("EpochsWithoutImprovement", "5", "EpochsWithoutImprovement is 5")]
    [InlineData("Stopped", "true", "early stopping cannot have ended this run")]
    [InlineData("Plateau", "null", "Plateau")]
    [InlineData("Plateau", "{\"BadEpochs\": -1}", "BadEpochs -1, Cooldown 0, Reductions 0 }; expected a finite best loss >= 0 and counters from 0 to CompletedEpochs (3)")]
    [InlineData("Plateau", "{\"Reductions\": 99}", "Reductions 99 }")]
    [InlineData("Plateau", "{\"Cooldown\": 4}", "Cooldown at most the schedule's (0)")]
    [InlineData("Plateau", "{\"Best\": -1.5}", "Best -1.5,")]
    public void DamagedCheckpointStateIsRefused(string field, string json, string expected)
    {
        var bytes = EditJson(Bytes(AdamCheckpoint, manifest: true), "checkpoint.json", field, json, freshManifest: true);
        var path = Path.Combine(_directory.FullName, "damaged.ckpt");
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<ModelFileException>(() => Checkpoint.Load(path));
        Assert.Equal("checkpoint.json", error.Entry);
        Assert.Equal(path, error.Path);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void NonFiniteOptimizerStateIsRefusedNamingTheBuffer()
    {
        var contents = ZipContents.Read(Bytes(AdamCheckpoint, manifest: true));
        var v = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(contents["optimizer.v.bin"].AsSpan()).ToArray();
        v[3] = float.PositiveInfinity;
        contents["optimizer.v.bin"] = System.Runtime.InteropServices.MemoryMarshal.AsBytes(v.AsSpan()).ToArray();
        var path = Path.Combine(_directory.FullName, "damaged.ckpt");
        File.WriteAllBytes(path, contents.WithFreshManifest().ToZip());
        var error = Assert.Throws<ModelFileException>(() => Checkpoint.Load(path));
        Assert.Equal("optimizer.v.bin", error.Entry);
        Assert.Contains("holds ∞ at element 3", error.Message.Replace("Infinity", "∞"));
    }

    [Fact]
    public void ANegativeAdamSecondMomentIsRefused()
    {
        var contents = ZipContents.Read(Bytes(AdamCheckpoint, manifest: false));
        var v = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(contents["optimizer.v.bin"].AsSpan()).ToArray();
        v[5] = -v[5] - 1e-9f;
        contents["optimizer.v.bin"] = System.Runtime.InteropServices.MemoryMarshal.AsBytes(v.AsSpan()).ToArray();
        var path = Path.Combine(_directory.FullName, "damaged.ckpt");
        File.WriteAllBytes(path, contents.ToZip());
        Assert.Contains("at 5; Adam's second moment is a mean of squares, never negative", Assert.Throws<ModelFileException>(() => Checkpoint.Load(path)).Message);
    }

    [Fact]
    public void ResumingFromADamagedCheckpointFailsAtOnceInsteadOfTrainingForEver()
    {
        var bytes = EditJson(Bytes(AdamCheckpoint, manifest: true), "checkpoint.json", "CompletedEpochs", "-1000000", freshManifest: true);
        var path = Path.Combine(_directory.FullName, "resume.ckpt");
        File.WriteAllBytes(path, bytes);
        var options = Training.TrainingLoopTests.Small(SequenceTask.BinaryClassification) with { CheckpointPath = path };
        var error = Assert.Throws<ModelFileException>(() => new SequenceModelEstimator(options).Fit(Training.SyntheticTasks.SignOfSum(20, 1)));
        Assert.Contains("CompletedEpochs is -1000000", error.Message);
    }

    [Theory]
    [InlineData(new byte[0], "not a readable zip archive")]
    [InlineData(new byte[] { 0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 9, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, "not a readable zip archive")]
    public void ZipErrorsNameTheFile(byte[] bytes, string expected)
    {
        var path = Path.Combine(_directory.FullName, "broken.mlnr");
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<ModelFileException>(() => SequenceModel.Load(path));
        Assert.Equal(path, error.Path);
        Assert.Null(error.Entry);
        Assert.StartsWith($"'{path}': ", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void AZip64EndRecordClaimingATrillionEntriesIsRefusedWithoutAllocating()
    {
        var zip = new MemoryStream();
        var w = new BinaryWriter(zip);
        w.Write(0x06064b50u);                                               // Zip64 end of central directory
        w.Write(44L);
        w.Write((ushort)45);
        w.Write((ushort)45);
        w.Write(0u);
        w.Write(0u);
        w.Write(1L << 40);                                                  // entries on this disk, and in all
        w.Write(1L << 40);
        w.Write(0L);                                                        // directory size and offset
        w.Write(0L);
        w.Write(0x07064b50u);                                               // its locator
        w.Write(0u);
        w.Write(0L);
        w.Write(1u);
        w.Write(0x06054b50u);                                               // the classic end record, pointing on
        w.Write(0);
        w.Write(uint.MaxValue);
        w.Write(uint.MaxValue);
        w.Write(uint.MaxValue);
        w.Write((ushort)0);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<ModelFileException>(() => SequenceModel.Load(new MemoryStream(zip.ToArray()), "zip64"));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Contains("not a readable zip archive", error.Message);
    }

    [Fact]
    public void ATruncatedFileNamesTheFile()
    {
        var bytes = Bytes(TextModel, manifest: true);
        var path = Path.Combine(_directory.FullName, "truncated.mlnr");
        File.WriteAllBytes(path, bytes[..(bytes.Length - 30)]);
        Assert.StartsWith($"'{path}'", Assert.Throws<ModelFileException>(() => SequenceModel.Load(path)).Message);
        Assert.Throws<FileNotFoundException>(() => SequenceModel.Load(Path.Combine(_directory.FullName, "missing.mlnr")));
    }

    private byte[] Bytes(string seed, bool manifest) => (byte[])_seeds[manifest ? seed : seed + " (no manifest)"].Bytes.Clone();

    /// <summary>Loads from a file and from a stream; both must refuse with the entry named.</summary>
    private ModelFileException Refused(byte[] bytes, string entry)
    {
        var path = Path.Combine(_directory.FullName, "damaged.mlnr");
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<ModelFileException>(() => SequenceModel.Load(path));
        Assert.Equal(path, error.Path);
        Assert.Equal(entry, error.Entry);
        Assert.StartsWith($"'{path}', entry '{entry}': ", error.Message);
        var fromStream = Assert.Throws<ModelFileException>(() => SequenceModel.Load(new MemoryStream(bytes), "the stream"));
        Assert.Equal(error.Problem, fromStream.Problem);
        return error;
    }

    /// <summary>Sets a field (a dotted path, [i] for elements) of a JSON entry to raw JSON and writes the archive again.</summary>
    private static byte[] EditJson(byte[] zip, string entry, string field, string json, bool freshManifest)
    {
        var contents = ZipContents.Read(zip);
        var root = JsonNode.Parse(contents[entry])!;
        var parts = field.Split('.');
        var parent = root;
        foreach (var part in parts[..^1])
            parent = Child(parent, part)!;
        var last = parts[^1];
        var value = JsonNode.Parse(json);
        if (last.EndsWith(']'))
            parent[last[..last.IndexOf('[')]]![int.Parse(last[(last.IndexOf('[') + 1)..^1])] = value;
        else
            parent[last] = value;
        contents[entry] = System.Text.Encoding.UTF8.GetBytes(root.ToJsonString());
        return (freshManifest ? contents.WithFreshManifest() : contents).ToZip();
    }

    private static JsonNode? Child(JsonNode node, string part) => part.EndsWith(']')
        ? node[part[..part.IndexOf('[')]]![int.Parse(part[(part.IndexOf('[') + 1)..^1])]
        : node[part];
}
