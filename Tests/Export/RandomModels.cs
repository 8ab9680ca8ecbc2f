using MlNetRnn.Featurization;
using MlNetRnn.Kernels;
using MlNetRnn.Network;
using MlNetRnn.Training;

namespace MlNetRnn.Tests.Export;

/// <summary>Untrained models with random non-symmetric weights, for export and parity tests.</summary>
internal static class RandomModels
{
    /// <summary>Words: task (binary|multiclass|regression|regression-steps|tagging|lm), cell (rnn|rnn-relu|gru|gru-lbr0|lstm),
    /// read-out (last|max|mean), input (tokens|text|dense), and "bidirectional", "2layers", "peepholes" (LSTM).</summary>
    public static SequenceModel Create(string configuration, KernelKind kernel = KernelKind.Native, int seed = 1)
    {
        var words = configuration.Split(' ');
        bool Has(string w) => words.Contains(w);
        var task = words[0] switch
        {
            "binary" => SequenceTask.BinaryClassification,
            "multiclass" => SequenceTask.MulticlassClassification,
            "regression" or "regression-steps" => SequenceTask.Regression,
            "tagging" => SequenceTask.Tagging,
            _ => SequenceTask.LanguageModel,
        };
        var cellWord = words[1];
        var cell = cellWord.StartsWith("rnn") ? RecurrentCell.Rnn : cellWord.StartsWith("gru") ? RecurrentCell.Gru : RecurrentCell.Lstm;
        var text = Has("text") || task == SequenceTask.LanguageModel;
        var tokens = text || Has("tokens");
        TextFeaturizer? featurizer = null;
        if (text)
        {
            var vocabulary = new Vocabulary([Vocabulary.PaddingToken, Vocabulary.UnknownToken, "the", "cat", "sat", "on", "mat", "a", "dog", "ran"]);
            featurizer = new TextFeaturizer(new TextFeaturizerOptions { MinCount = 1 }, vocabulary);
        }
        var perStep = task is SequenceTask.Tagging or SequenceTask.LanguageModel || words[0] == "regression-steps";
        var labels = task switch
        {
            SequenceTask.BinaryClassification => new[] { "ham", "spam" },
            SequenceTask.MulticlassClassification => ["a", "b", "c"],
            SequenceTask.Tagging => ["x", "y", "z", "w"],
            _ => [],
        };
        var vocabularySize = featurizer?.Vocabulary.Count ?? 13;
        var spec = new SequenceNetworkSpec
        {
            Task = task,
            InputKind = tokens ? SequenceInputKind.Tokens : SequenceInputKind.Dense,
            InputWidth = tokens ? vocabularySize : 4,
            EmbeddingSize = 6,
            Cell = cell,
            HiddenSize = 7,
            Layers = Has("2layers") ? 2 : 1,
            Bidirectional = Has("bidirectional"),
            LinearBeforeReset = cellWord != "gru-lbr0",
            Peepholes = Has("peepholes"),
            RnnActivation = cellWord == "rnn-relu" ? ActivationKind.Relu : ActivationKind.Tanh,
            ReadOut = perStep ? ReadOutKind.AllSteps : Has("max") ? ReadOutKind.MaxPool : Has("mean") ? ReadOutKind.MeanPool : ReadOutKind.LastState,
            OutputSize = task switch
            {
                SequenceTask.BinaryClassification => 1,
                SequenceTask.LanguageModel => vocabularySize,
                SequenceTask.Regression => 2,
                _ => labels.Length,
            },
        };
        var parameters = new ParameterSet(SequenceNetwork.Layout(spec));
        var random = new SeededRandom((ulong)seed);
        for (var i = 0; i < parameters.Count; i++)
            parameters.Values[i] = random.Uniform(-0.6f, 0.6f);
        var schema = new SequenceModelSchema
        {
            Task = task,
            Input = text ? SequenceInputKindOfData.Text : tokens ? SequenceInputKindOfData.TokenIds : SequenceInputKindOfData.Dense,
            FeatureWidth = tokens ? 0 : 4,
            VocabularySize = tokens ? vocabularySize : 0,
            Featurizer = featurizer,
            Labels = labels,
            ValueCount = task == SequenceTask.Regression ? 2 : 0,
            ValuesPerStep = words[0] == "regression-steps",
        };
        return new SequenceModel(schema, spec, parameters, new SequenceModelOptions { Task = task, Kernel = kernel, Threads = 1 });
    }

    /// <summary>A batch of the model's input kind with ragged lengths in [1, T] (the first full length).</summary>
    public static SequenceBatch Batch(SequenceNetworkSpec spec, int batch, int steps, int seed)
    {
        var random = new SeededRandom((ulong)seed);
        var lengths = Enumerable.Range(0, batch).Select(b => b == 0 ? steps : 1 + random.Next(steps)).ToArray();
        var cells = steps * batch;
        return new SequenceBatch
        {
            SeqLength = steps,
            Batch = batch,
            Lengths = lengths,
            Tokens = spec.InputKind == SequenceInputKind.Tokens ? Enumerable.Range(0, cells).Select(_ => random.Next(spec.InputWidth)).ToArray() : null,
            Features = spec.InputKind == SequenceInputKind.Dense ? Enumerable.Range(0, cells * spec.InputWidth).Select(_ => random.Uniform(-1f, 1f)).ToArray() : null,
        };
    }
}
