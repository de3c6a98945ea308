terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

# Region and credentials come from the usual AWS chain (AWS_PROFILE, AWS_REGION, SSO, ...)
# unless `aws_region` is set.
provider "aws" {
  region = var.aws_region

  default_tags {
    tags = merge({ "managed-by" = "terraform", "app" = "lms-logging" }, var.tags)
  }
}
