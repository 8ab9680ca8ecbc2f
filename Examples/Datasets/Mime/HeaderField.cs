namespace MlNetRnn.Examples.Datasets.Mime;

/// <summary>
/// One header field after unfolding: <see cref="Name"/> as written, <see cref="RawValue"/> with folding line breaks
/// removed and outer blanks trimmed. RawValue keeps each byte as one char (Latin-1), so 8-bit bytes survive until a
/// charset is known; <see cref="EncodedWords.Decode"/> turns it into text.
/// </summary>
public sealed record HeaderField(string Name, string RawValue);
