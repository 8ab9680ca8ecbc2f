using System.Text;
using MlNetRnn.Featurization;
using MlNetRnn.Network;
using MlNetRnn.Training;

namespace MlNetRnn;

public sealed partial class SequenceModel
{
    /// <summary>
    /// Language models: continues <paramref name="prefix"/> by <paramref name="tokens"/> tokens. Temperature 0 picks
    /// the most likely token each step (greedy); a positive temperature samples from softmax(logits / temperature)
    /// with the seeded generator. Returns the generated continuation (without the prefix).
    /// </summary>
    public string Generate(string prefix, int tokens, float temperature = 0f, int seed = 1)
    {
        if (!(temperature >= 0f) || float.IsInfinity(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be finite and >= 0 (0 = greedy).");
        return Generate(prefix, tokens, new SamplingOptions { Temperature = temperature, Seed = seed });
    }

    /// <summary>
    /// Language models: continues <paramref name="prefix"/> by <paramref name="tokens"/> tokens, each drawn as
    /// <paramref name="sampling"/> says (temperature, top-k, top-p, seed; see <see cref="TokenSampler"/>). Returns the
    /// generated continuation (without the prefix).
    /// <code>
    /// model.Generate("Emma was", 40, new SamplingOptions { Temperature = 0.8f, TopK = 20, TopP = 0.9f, Seed = 7 });
    /// </code>
    /// </summary>
    public string Generate(string prefix, int tokens, SamplingOptions sampling)
    {
        if (Spec.Task != SequenceTask.LanguageModel)
            throw new InvalidOperationException($"Generate needs a language model; this model is {Spec.Task}.");
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(sampling);
        if (tokens < 0)
            throw new ArgumentOutOfRangeException(nameof(tokens), tokens, "The number of tokens must be >= 0.");
        sampling.Validate();
        var featurizer = Schema.Featurizer!;
        var ids = featurizer.Encode(prefix);
        if (ids.Length == 0)
            throw new ArgumentException("The prefix has no tokens; give at least one.", nameof(prefix));
        var random = new SeededRandom((ulong)sampling.Seed);
        var separator = featurizer.Options.Tokenizer == TokenizerKind.Characters ? "" : " ";
        var text = new StringBuilder();
        return WithNetwork(network =>
        {
            var K = Spec.OutputSize;
            var input = ids;
            for (var i = 0; i < tokens; i++)
            {
                var batch = new SequenceBatch { SeqLength = input.Length, Batch = 1, Lengths = [input.Length], Tokens = input };
                var outputs = network.Forward(batch, training: false);
                var next = TokenSampler.Sample(outputs.Slice((input.Length - 1) * K, K), sampling, random);
                network.InitialStates = network.FinalStates();
                if (i > 0 || text.Length > 0)
                    text.Append(separator);
                text.Append(featurizer.Vocabulary[next]);
                input = [next];
            }
            network.InitialStates = null;
            return text.ToString();
        });
    }
}
