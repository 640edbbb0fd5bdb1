// `make fuzz`'s libFuzzer target for FuzzTargets.pdfForm; in an ordinary build, `fuzz-pdf FILE...`
// replays files through it (see FuzzMain).
import SecorFuzzing

@main enum Fuzz {
    static func main() { FuzzMain.run(FuzzTargets.pdfForm) }
}
