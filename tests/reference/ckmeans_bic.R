# Reference BIC values for resil's `k = "auto"` with `select = "bic"`
# (crates/resil-classify/src/auto_k.rs), computed by Ckmeans.1d.dp 4.3.5 itself (its default
# estimate.k = "BIC"; the BIC of each k = 2..8 and the chosen k). Cases: three samples of normal
# clumps and one gamma sample rounded to 1 decimal (many repeated values), R's set.seed 31-34.
# Ckmeans.1d.dp is not in Debian: install its CRAN source (github.com/cran/Ckmeans.1d.dp, with
# Debian's r-base-dev, r-cran-rcpp, r-cran-rdpack, r-cran-jsonlite) into a library, then
#   R_LIBS=/path/to/lib Rscript tests/reference/ckmeans_bic.R > data/reference-cases/ckmeans_bic.json
suppressMessages(library(Ckmeans.1d.dp))
library(jsonlite)
cases <- list()
specs <- list(list(31, c(0, 5, 12)), list(32, c(0, 3, 6, 9)), list(33, c(0, 10)), list(34, NULL))
for (s in specs) {
  set.seed(s[[1]])
  if (is.null(s[[2]])) {
    x <- round(rgamma(40, shape = 2, scale = 1.5), 1)
  } else {
    x <- unlist(lapply(s[[2]], function(c) rnorm(15, c, 0.8)))
  }
  x <- sort(x)
  fit <- Ckmeans.1d.dp(x, k = c(2, 8))
  cases[[length(cases) + 1]] <- list(seed = s[[1]], x = x, bic = fit$BIC, k = max(fit$cluster))
}
cat(toJSON(list(source = paste("Ckmeans.1d.dp", packageVersion("Ckmeans.1d.dp"),
                               "Ckmeans.1d.dp(x, k = c(2, 8)); tests/reference/ckmeans_bic.R"),
                cases = cases), auto_unbox = TRUE, digits = NA, pretty = TRUE))
