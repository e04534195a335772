# Reference values for resil's Mazziotta-Pareto index (crates/resil-rank/src/mpi.rs), computed by
# the R package Compind's own functions (version 3.4: normalise_ci with method = 1, z.mean = 100,
# z.std = 10, then ci_mpi with penalty "POS" and "NEG"; R's sd and var divide by n - 1), and the
# defining paper's population formula (Mazziotta & Pareto 2016: sd over n, M_z -/+ S_z cv) in
# plain R. Random raw matrices with benefit and cost columns, set.seed(23). Compind's other
# dependencies are not needed for these two functions, so its two source files are sourced from
# its CRAN source (github.com/cran/Compind) with Debian's r-base-core and r-cran-jsonlite:
#   COMPIND_SRC=/path/to/Compind Rscript tests/reference/compind_mpi.R > data/reference-cases/compind_mpi.json
library(jsonlite)
src <- Sys.getenv("COMPIND_SRC")
source(file.path(src, "R", "normalise_ci.R"))
source(file.path(src, "R", "ci_mpi.R"))
desc <- read.dcf(file.path(src, "DESCRIPTION"))
population <- function(x, types, sign) {
  sd_n <- function(v) sqrt(mean((v - mean(v))^2))
  z <- sapply(seq_len(ncol(x)), function(j) 100 + types[j] * 10 * (x[, j] - mean(x[, j])) / sd_n(x[, j]))
  m <- rowMeans(z)
  s <- apply(z, 1, sd_n)
  m + sign * s * (s / m)
}
set.seed(23)
cases <- list()
for (k in 0:2) {
  n <- 8 + k
  m <- 3 + k
  x <- matrix(round(runif(n * m, 1, 100), 3), nrow = n)
  types <- ifelse((seq_len(m) - 1) %% 3 != 1, 1, -1)
  df <- as.data.frame(x)
  norm <- suppressMessages(normalise_ci(df, seq_len(m), ifelse(types > 0, "POS", "NEG"), method = 1,
                                        z.mean = 100, z.std = 10))
  pos <- suppressMessages(ci_mpi(norm$ci_norm, seq_len(m), penalty = "POS"))$ci_mpi_est
  neg <- suppressMessages(ci_mpi(norm$ci_norm, seq_len(m), penalty = "NEG"))$ci_mpi_est
  cases[[k + 1]] <- list(matrix = unname(split(x, row(x))), types = types,
                         compind_pos = unname(pos), compind_neg = unname(neg),
                         population_minus = population(x, types, -1), population_plus = population(x, types, 1))
}
cat(toJSON(list(source = paste("Compind", desc[1, "Version"], "normalise_ci + ci_mpi, and the population formula;",
                               "tests/reference/compind_mpi.R"), cases = cases),
           auto_unbox = TRUE, digits = NA, pretty = TRUE))
