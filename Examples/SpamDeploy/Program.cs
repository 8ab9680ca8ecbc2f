// Scores raw mails with the exported spam model, as a deploying application would: each .eml file is turned into the
// text the model was trained on by MailTextExtractor (the same class the training side uses), and ONNX Runtime runs
// the exported raw-text graph on it. Nothing of MlNetRnn's training library is involved.
// Usage: dotnet run -c Release --project Examples/SpamDeploy -- [--model PATH] MAIL.eml|FOLDER ...
//   --model PATH  the model Examples/Spam exported (default artifacts/spam/spam.onnx, where the demo writes it)
//   FOLDER        every *.eml file directly in it, in ordinal name order (none is an error)
// Prints one line per mail: path, tab, spam or ham, tab, P(spam) with 6 decimals. A missing or unreadable file gets one
// line on stderr ("spam-deploy: PATH: why"); the other mails are still scored and the exit code is 2.
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using MlNetRnn.Examples.Mail;
using MlNetRnn.Examples.SpamDeploy;

const string Usage = "usage: spam-deploy [--model PATH] MAIL.eml|FOLDER ...";
var modelPath = Path.Combine("artifacts", "spam", "spam.onnx");
var inputs = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--help" or "-h":
            Console.WriteLine(Usage);
            return 0;
        case "--model" when i + 1 < args.Length:
            modelPath = args[++i];
            break;
        case var option when option.StartsWith("--", StringComparison.Ordinal):
            return Fail($"unknown option or missing value '{option}'; {Usage}");
        default:
            inputs.Add(args[i]);
            break;
    }
}
if (inputs.Count == 0)
    return Fail($"no mail given; {Usage}");

SpamScorer scorer;
try
{
    scorer = SpamScorer.Load(modelPath);
}
catch (Exception error) when (error is IOException or InvalidDataException or OnnxRuntimeException or UnauthorizedAccessException)
{
    return Fail($"{modelPath}: {error.Message}");
}

using (scorer)
{
    var failed = false;
    var files = new List<string>();
    var texts = new List<string>();
    foreach (var input in inputs)
    {
        var paths = Directory.Exists(input)
            ? Directory.GetFiles(input, "*.eml").Order(StringComparer.Ordinal).ToArray()
            : [input];
        if (paths.Length == 0)
        {
            Fail($"{input}: no *.eml file in this folder");
            failed = true;
        }
        foreach (var path in paths)
        {
            try
            {
                texts.Add(MailTextExtractor.Extract(File.ReadAllBytes(path), scorer.TextOptions).ModelText);
                files.Add(path);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException or FormatException)
            {
                Fail($"{path}: {error.Message}");
                failed = true;
            }
        }
    }
    var scores = scorer.Score(texts);
    for (var i = 0; i < files.Count; i++)
        Console.WriteLine($"{files[i]}\t{(scores[i].IsSpam ? "spam" : "ham")}\t{scores[i].Probability.ToString("F6", CultureInfo.InvariantCulture)}");
    return failed ? 2 : 0;
}

static int Fail(string message)
{
    Console.Error.WriteLine("spam-deploy: " + message.ReplaceLineEndings(" "));
    return 2;
}
