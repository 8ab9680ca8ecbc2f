namespace MlNetRnn;

/// <summary>
/// How per-step targets of a text (tags, per-step regression values) line up with the tokens the model reads.
/// </summary>
public enum StepAlignment
{
    /// <summary>
    /// One target per token the model reads, as the tokenizer produces them (a text without tokens reads as one
    /// unknown token: give it no target). Predictions come one per token, as an exported raw-text ONNX graph gives
    /// them. A text whose target count differs from its token count is refused with its tokens listed.
    /// </summary>
    Tokens = 0,

    /// <summary>
    /// One target per word, the words being the text split at white space (Unicode White_Space, where the Words
    /// tokenizer splits too). A word may become several tokens ("don't" is "don", "'", "t"); its target sits on its
    /// last token, the others carry none, and predictions are read there: one per word. The last token, not the first:
    /// a forward-only model (or a stream) has read the whole word there. Needs the Words tokenizer. An exported ONNX
    /// graph still gives a row per token: the words' rows are those at each word's last token.
    /// </summary>
    Words = 1,
}
