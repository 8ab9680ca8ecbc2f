using MlNetRnn.Kernels;
using MlNetRnn.Network;
using MlNetRnn.Tests.Export;
using MlNetRnn.Training;

namespace MlNetRnn.Tests.Network;

/// <summary>
/// Inference of token networks from memoised input projections (TokenProjectionCache, NativeKernel.ForwardFromTable):
/// the same bits as the embedding path, and never a stale row when weights change in place.
/// </summary>
public class TokenProjectionCacheTests
{
    private const int Vocabulary = 60;

    private static SequenceNetworkSpec Spec(string configuration)
    {
        var words = configuration.Split(' ');
        bool Has(string w) => words.Contains(w);
        var cell = words[0] switch { "gru" => RecurrentCell.Gru, "lstm" => RecurrentCell.Lstm, _ => RecurrentCell.Rnn };
        var task = Has("tagging") ? SequenceTask.Tagging : SequenceTask.MulticlassClassification;
        return new SequenceNetworkSpec
        {
            Task = task,
            InputKind = SequenceInputKind.Tokens,
            InputWidth = Vocabulary,
            EmbeddingSize = 16,
            Cell = cell,
            // 40 units: batch-1 inference on 2 threads cuts them among the threads (rnn_forward.cpp, forward_units).
            HiddenSize = 40,
            Layers = Has("2layers") ? 2 : 1,
            Bidirectional = Has("bidirectional"),
            LinearBeforeReset = !Has("lbr0"),
            Peepholes = Has("peepholes"),
            Dropout = Has("dropout") ? 0.3f : 0f,
            ReadOut = Has("max") ? ReadOutKind.MaxPool : Has("allsteps") ? ReadOutKind.AllSteps : ReadOutKind.LastState,
            OutputSize = 3,
        };
    }

    private static ParameterSet Weights(SequenceNetworkSpec spec, ulong seed)
    {
        var parameters = new ParameterSet(SequenceNetwork.Layout(spec));
        var random = new SeededRandom(seed);
        Initializer.Initialize(spec, parameters, random);
        var values = parameters.Values;
        for (var i = 0; i < values.Length; i++)
            values[i] += random.Uniform(-0.1f, 0.1f);
        return parameters;
    }

    // Ragged lengths, tokens drawn from a small part of the vocabulary so that they repeat within and across batches.
    private static SequenceBatch Batch(SeededRandom random, int batch, int steps, int distinct = 25)
    {
        var lengths = Enumerable.Range(0, batch).Select(b => b == 0 ? steps : 1 + random.Next(steps)).ToArray();
        var tokens = new int[steps * batch];
        for (var t = 0; t < steps; t++)
            for (var b = 0; b < batch; b++)
                tokens[t * batch + b] = t < lengths[b] ? random.Next(distinct) : 999;  // padding: never read
        return new SequenceBatch { SeqLength = steps, Batch = batch, Lengths = lengths, Tokens = tokens };
    }

    private static void AssertSameBits(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what) =>
        Assert.True(expected.SequenceEqual(actual), $"{what}: the cached path's outputs differ from the embedding path's");

    [Theory]
    [InlineData("gru last")]
    [InlineData("gru max 2layers bidirectional")]
    [InlineData("gru last lbr0 bidirectional")]
    [InlineData("lstm last peepholes")]
    [InlineData("lstm allsteps tagging bidirectional 2layers")]
    [InlineData("rnn max")]
    [InlineData("gru last dropout 2layers")]
    public void CachedInferenceGivesTheBitsOfTheEmbeddingPath(string configuration)
    {
        var spec = Spec(configuration);
        var parameters = Weights(spec, 5);
        foreach (var threads in new[] { 1, 2 })
        {
            using var kernel = new NativeKernel(threads);
            var cached = new SequenceNetwork(spec, kernel, parameters);
            var plain = new SequenceNetwork(spec, kernel, parameters) { TokenProjectionCacheLimit = 0 };
            Assert.True(cached.UsesTokenProjectionCache);
            Assert.False(plain.UsesTokenProjectionCache);
            var random = new SeededRandom(11);
            // Batch 1 (on 2 threads: the units cut among the threads), small and larger batches; the later batches
            // reuse rows the earlier ones projected.
            foreach (var (b, t) in new[] { (1, 30), (5, 12), (1, 9), (33, 20), (4, 1) })
            {
                var batch = Batch(random, b, t);
                var expected = plain.Forward(batch, training: false).ToArray();
                AssertSameBits(expected, cached.Forward(batch, training: false), $"{configuration}, {threads} threads, B={b}, T={t}");
            }
            // Training forwards never read the cache.
            var trainingBatch = Batch(random, 3, 6);
            AssertSameBits(plain.Forward(trainingBatch, training: true, new SeededRandom(3)).ToArray(),
                cached.Forward(trainingBatch, training: true, new SeededRandom(3)), $"{configuration}: training forward");
        }
    }

    /// <summary>
    /// Weights changed in place after the cache was filled, the way a training step, an averaged or restored weight set
    /// or a user's edit changes them: the next call scores with the new weights, bit for bit as a network without the
    /// cache does, whichever tensor changed.
    /// </summary>
    [Fact]
    public void WeightsChangedInPlaceAreNeverScoredStale()
    {
        var spec = Spec("gru last bidirectional");
        var parameters = Weights(spec, 7);
        using var kernel = new NativeKernel(2);
        var cached = new SequenceNetwork(spec, kernel, parameters);
        var plain = new SequenceNetwork(spec, kernel, parameters) { TokenProjectionCacheLimit = 0 };
        var batch = Batch(new SeededRandom(13), 6, 15);
        var before = cached.Forward(batch, training: false).ToArray();
        AssertSameBits(plain.Forward(batch, training: false), before, "before any change");

        var embedding = parameters[SequenceNetwork.EmbeddingName];
        var weights = parameters[SequenceNetwork.WeightName(0)];
        var used = batch.Tokens![0];
        var changes = new (string What, Action Change)[]
        {
            ("one value of a used token's embedding row", () => embedding.Values[used * spec.EmbeddingSize + 3] += 0.25f),
            ("a zero turned into a negative zero", () =>
            {
                embedding.Values[used * spec.EmbeddingSize + 5] = 0f;
                cached.Forward(batch, training: false);
                embedding.Values[used * spec.EmbeddingSize + 5] = -0f;
            }),
            ("one value of W in the reverse direction", () => weights.Values[weights.Length - 1] -= 0.5f),
            ("every value, as a restored weight set", () => Weights(spec, 8).Values.CopyTo(parameters.Values, 0)),
        };
        foreach (var (what, change) in changes)
        {
            change();
            var expected = plain.Forward(batch, training: false).ToArray();
            AssertSameBits(expected, cached.Forward(batch, training: false), what);
        }
        Assert.False(before.AsSpan().SequenceEqual(cached.Forward(batch, training: false)), "the changes changed nothing");
    }

    /// <summary>One cache shared by networks on four threads at once (as a SequenceModel's pool shares it), each
    /// scoring batches with new and known tokens: every output has the bits of the embedding path.</summary>
    [Fact]
    public void ASharedCacheServesConcurrentNetworks()
    {
        var spec = Spec("lstm max bidirectional");
        var parameters = Weights(spec, 12);
        var shared = new TokenProjectionCache(spec.LayerDescriptor(0), Vocabulary);
        using var reference = new NativeKernel(1);
        var plain = new SequenceNetwork(spec, reference, parameters) { TokenProjectionCacheLimit = 0 };
        var batches = Enumerable.Range(0, 24).Select(i => Batch(new SeededRandom((ulong)(100 + i)), 1 + i % 7, 5 + i % 11, distinct: Vocabulary)).ToArray();
        var expected = batches.Select(b => plain.Forward(b, training: false).ToArray()).ToArray();
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, worker =>
        {
            using var kernel = new NativeKernel(1);
            var network = new SequenceNetwork(spec, kernel, parameters) { SharedTokenProjectionCache = shared };
            for (var round = 0; round < 3; round++)
                for (var n = 0; n < batches.Length; n++)
                {
                    var i = (worker * 5 + n) % batches.Length;
                    AssertSameBits(expected[i], network.Forward(batches[i], training: false), $"worker {worker}, batch {i}");
                }
        });
    }

    /// <summary>A model's pooled networks and its streams share the model's one cache, within the model's limit.</summary>
    [Fact]
    public void AModelsCallersShareOneCache()
    {
        using var model = RandomModels.Create("binary gru tokens last", KernelKind.Native, seed: 3);
        using var first = new NativeKernel(1);
        using var second = new NativeKernel(2);
        var a = model.CreateInferenceNetwork(first);
        var b = model.CreateInferenceNetwork(second);
        Assert.True(a.UsesTokenProjectionCache);
        Assert.NotNull(a.SharedTokenProjectionCache);
        Assert.Same(a.SharedTokenProjectionCache, b.SharedTokenProjectionCache);
        model.TokenProjectionCacheLimit = 0;
        Assert.False(model.CreateInferenceNetwork(first).UsesTokenProjectionCache);
    }

    [Fact]
    public void AnIdOutsideTheVocabularyIsTheEmbeddingsError()
    {
        var spec = Spec("lstm last");
        using var kernel = new NativeKernel(1);
        var network = new SequenceNetwork(spec, kernel, Weights(spec, 9));
        var batch = Batch(new SeededRandom(1), 2, 4);
        batch.Tokens![1 * 2 + 0] = Vocabulary + 3;  // step 1 of sequence 0 (full length)
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => network.Forward(batch, training: false));
        Assert.Contains("step 1 of sequence 0 is outside the vocabulary [0, 60)", error.Message);
        // The failed call leaves the cache working.
        batch.Tokens[2] = 4;
        var plain = new SequenceNetwork(spec, kernel, network.Parameters) { TokenProjectionCacheLimit = 0 };
        AssertSameBits(plain.Forward(batch, training: false).ToArray(), network.Forward(batch, training: false), "after the error");
    }

    [Fact]
    public void TheLimitDecidesWhetherTheCacheIsKept()
    {
        var spec = Spec("gru last");
        using var kernel = new NativeKernel(1);
        var network = new SequenceNetwork(spec, kernel, Weights(spec, 10));
        var bytes = TokenProjectionCache.Bytes(network.Descriptors[0], Vocabulary);
        network.TokenProjectionCacheLimit = bytes;
        Assert.True(network.UsesTokenProjectionCache);
        network.TokenProjectionCacheLimit = bytes - 1;
        Assert.False(network.UsesTokenProjectionCache);
        Assert.Throws<ArgumentOutOfRangeException>(() => network.TokenProjectionCacheLimit = -1);
        // The reference kernel has no table path; dense inputs have no tokens.
        Assert.False(new SequenceNetwork(spec, ReferenceKernel.Instance, network.Parameters).UsesTokenProjectionCache);
    }
}
